"""The one-tap link in the login-code mail.

allauth's "login by code" keeps the code in the session of the browser that asked for it;
the mail carries the code and a link to the confirm page with `?code=...`. Opened in that
same browser, the page fills in the code and sends it at once (a small script from
static/js/, no inline script under our CSP), so the member logs in with one tap.

Why this and not a signed login link of our own: the link adds no new way in. It is only
useful together with the session that asked for the code, so a forwarded mail, a link
scanner or anyone reading the mail elsewhere cannot log in with it; it inherits allauth's
guarantees unchanged: one use, the 15-minute timeout, three attempts, the rate limits, and
two-factor authentication for staff after it. Opened in another browser (a mail app's own
browser, say) it says so and the member types the code or asks for a new one.

The code leaves the address at once: the first request puts it in the session and continues
on the plain confirm page, so no later request line, history entry or Referer carries it.
"""

import re

from allauth.account.stages import LoginByCodeStage, LoginStageController
from allauth.account.views import ConfirmLoginCodeView
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from ..mixins import PublicMixin

_CODE = re.compile(r"^[A-Za-z0-9-]{4,20}$")


SESSION_KEY = "login_code_from_link"


def code_from_link(request) -> str:
    """The code from the link's query string, if it looks like one; "" otherwise."""
    code = request.GET.get("code", "").strip()
    return code.upper() if _CODE.match(code) else ""


class LinkedConfirmLoginCodeView(PublicMixin, ConfirmLoginCodeView):
    """allauth's confirm page, with the code from the mail's link filled in and sent."""

    def linked_code(self) -> str:
        """The link's code, kept in the session for this one page view."""
        if not hasattr(self, "_linked_code"):
            self._linked_code = (
                self.request.session.pop(SESSION_KEY, "") if self.request.method == "GET" else ""
            )
        return self._linked_code

    def get_initial(self):
        initial = super().get_initial()
        if self.linked_code():
            initial["code"] = self.linked_code()
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(autosubmit=bool(self.linked_code()), **kwargs)


_confirm = LinkedConfirmLoginCodeView.as_view()


def confirm_login_code(request, *args, **kwargs):
    """The link opened where the code was asked for: the code moves into the session and the
    page continues without it in the address. Opened elsewhere: say why the member lands on
    "ask for a code" instead of the login (allauth then sends them there)."""
    code = code_from_link(request)
    if not code or request.user.is_authenticated:
        return _confirm(request, *args, **kwargs)
    if request.method == "GET" and LoginStageController.enter(request, LoginByCodeStage.key):
        request.session[SESSION_KEY] = code
        response = redirect(request.path)
        response["Cache-Control"] = "no-store"
        return response
    if LoginStageController.enter(request, LoginByCodeStage.key) is None:
        messages.info(
            request,
            _(
                "This link only works in the browser where you asked for the code, and only "
                "for a short while. Ask for a new code here, or type the code from the mail "
                "there."
            ),
        )
    return _confirm(request, *args, **kwargs)


confirm_login_code.view_class = LinkedConfirmLoginCodeView
