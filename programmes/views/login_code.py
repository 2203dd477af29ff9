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
"""

import re

from allauth.account.stages import LoginByCodeStage, LoginStageController
from allauth.account.views import ConfirmLoginCodeView
from django.contrib import messages
from django.utils.translation import gettext as _

from ..mixins import PublicMixin

_CODE = re.compile(r"^[A-Za-z0-9-]{4,20}$")


def code_from_link(request) -> str:
    """The code from the link's query string, if it looks like one; "" otherwise."""
    code = request.GET.get("code", "").strip()
    return code.upper() if _CODE.match(code) else ""


class LinkedConfirmLoginCodeView(PublicMixin, ConfirmLoginCodeView):
    """allauth's confirm page, with the code from the mail's link filled in and sent."""

    def get_initial(self):
        initial = super().get_initial()
        code = code_from_link(self.request)
        if code and self.request.method == "GET":
            initial["code"] = code
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            autosubmit=self.request.method == "GET" and bool(code_from_link(self.request)),
            **kwargs,
        )


_confirm = LinkedConfirmLoginCodeView.as_view()


def confirm_login_code(request, *args, **kwargs):
    """The link opened where no code was asked for: say why the member lands on "ask for a
    code" instead of the login (allauth then sends them there)."""
    if (
        code_from_link(request)
        and not request.user.is_authenticated
        and LoginStageController.enter(request, LoginByCodeStage.key) is None
    ):
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
