"""What the hand-off tells people through the base's notifications: the client's staff hear
at once when a signal could not be handed to their own system for good (the signal stays in
the portal for them to follow up)."""

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from programmes.models import User
from programmes.notification_kinds import NotificationKind, register_notification_kind
from programmes.permissions import Role
from programmes.services.notifications import notify_on_commit

HANDOFF_FAILED = "patrols.handoff_failed"

KIND = NotificationKind(
    code=HANDOFF_FAILED,
    label=_("A signal could not be handed over"),
    description=_(
        "Sending a signal to your service desk or your own system failed for good; "
        "the signal stays in the portal."
    ),
    audience={Role.CLIENT_STAFF},
    digest=False,
    order=40,
)


def register() -> None:
    """Register the hand-off's notification kind (from `PatrolsConfig.ready`)."""
    register_notification_kind(KIND)


def handoff_failed_notify(*, handoff) -> None:
    """Tell the client's staff, after commit, that this hand-off failed for good."""
    signal = handoff.signal
    staff = list(
        User.objects.filter(
            organisation_id=signal.organisation_id, role=Role.CLIENT_STAFF, is_active=True
        ).order_by("pk")
    )
    notify_on_commit(
        kind=HANDOFF_FAILED,
        recipients=staff,
        title=format_lazy(
            _("Not handed to {channel}: {category}"),
            channel=handoff.channel.name,
            category=str(signal.category),
        ),
        body=handoff.last_error,
        url=reverse(
            "patrols:portal_signal",
            kwargs={"org": signal.organisation.slug, "signal_pk": signal.pk},
        ),
        dedupe_key=f"handoff-failed:{handoff.pk}:{handoff.attempts}:"
        f"{handoff.attempted_at.isoformat() if handoff.attempted_at else ''}",
        organisation=signal.organisation,
        programme=signal.programme,
    )
