"""Why a mail was not sent, in words a project leader understands.

The outbox stores the raw error (`OutboxMessage.last_error`, "ExceptionName: detail") for the
technically minded; the interface shows one sentence chosen from it, never the raw code.
"""

import re

from django.utils.translation import gettext as _

_SMTP_CODE = re.compile(r"\(\s*(\d{3})\s*,")


def mail_error_text(last_error: str) -> str:
    """One sentence on why sending failed, from the stored error (empty: no error)."""
    if not last_error:
        return ""
    name, _sep, detail = last_error.partition(":")
    lowered = last_error.lower()
    codes = [int(c) for c in _SMTP_CODE.findall(detail)]
    if name == "SMTPRecipientsRefused" or "5.1.1" in lowered or "user unknown" in lowered:
        return _(
            "The receiving mail server refused the address: check it for typing errors or "
            "ask for another address."
        )
    if name == "SMTPAuthenticationError":
        return _("Our mail server did not accept its login: the administrator has to fix this.")
    if name == "SMTPSenderRefused":
        return _("Our mail server refused the sender address: the administrator has to fix this.")
    if 552 in codes or "size" in lowered or "too large" in lowered:
        return _("The message was too large for the receiving mail server.")
    if (
        name
        in (
            "ConnectionRefusedError",
            "TimeoutError",
            "SMTPConnectError",
            "SMTPServerDisconnected",
            "gaierror",
            "OSError",
            "ConnectionResetError",
        )
        or "timed out" in lowered
    ):
        return _("The mail server could not be reached. Send the message again later.")
    if any(400 <= code < 500 for code in codes):
        return _("The mail server was busy and asked to try again later.")
    return _("The mail server refused the message.")
