/* The login-code link from the mail: the code is filled in on the confirm page; send it
 * at once so one tap in the mail logs the member in. Only on the page opened from the link
 * (the template loads this script then); a wrong code shows the form as usual. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("form input[name=code]");
    if (!input || !input.value) return;
    var form = input.form, button = form.querySelector("button[type=submit]:not([form])");
    if (form.requestSubmit && button) { form.requestSubmit(button); } else { form.submit(); }
  });
})();
