"""The team's notice board in the base: its programme tab and the bulk job that mails a
message to many members (registered from apps.py)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .registry import BulkKind, ProgrammeTab, register_bulk_kind, register_programme_tab


def register_board() -> None:
    """The "Notice board" tab (after the team), its audit action and the bulk kind of
    mailing a message."""
    from .audit import register_audit_actions  # noqa: PLC0415 - imports the models
    from .services.board import (  # noqa: PLC0415 - imports the models
        TEAM_MESSAGE_MAIL,
        team_message_mail_chunk,
    )

    register_audit_actions({"team_message.sent": _("Message to the team sent")})
    register_programme_tab(ProgrammeTab(_("Notice board"), "programme_board", order=260))
    register_bulk_kind(
        BulkKind(
            code=TEAM_MESSAGE_MAIL,
            label=_("Mailing a message to the team"),
            process=team_message_mail_chunk,
            progress=ngettext_lazy(
                "%(done)s of %(total)s member mailed",
                "%(done)s of %(total)s members mailed",
                "total",
            ),
        )
    )
