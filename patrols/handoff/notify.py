"""What the hand-off tells people through the base's notifications: the client's staff hear
at once when a signal could not be handed to their own system for good (the signal stays in
the portal for them to follow up)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from programmes.models import User
from programmes.notification_kinds import NotificationKind, register_notification_kind
from programmes.permissions import Role
from programmes.services.notifications import notify_on_commit

HANDOFF_FAILED = "patrols.handoff_failed"
HANDOFF_CHANNEL_FAILING = "patrols.handoff_channel_failing"

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


# The client's project leaders hear when a channel keeps failing (its newest hand-offs all
# failed, for good or their last try), once per channel and day: the client may not notice,
# the leader follows up.
CHANNEL_FAILING_KIND = NotificationKind(
    code=HANDOFF_CHANNEL_FAILING,
    label=_("A client's own system keeps refusing signals"),
    description=_(
        "Several signals in a row could not be handed to a client's service desk or own "
        "system; at most once a day per channel."
    ),
    audience={Role.PROJECT_LEADER, Role.CONSULTANCY_ADMIN},
    digest=False,
    order=45,
)


def register() -> None:
    """Register the hand-off's notification kinds (from `PatrolsConfig.ready`)."""
    register_notification_kind(KIND)
    register_notification_kind(CHANNEL_FAILING_KIND)


def handoff_channel_failing_notify(*, handoff) -> None:
    """Tell the client's project leaders, after commit, that the hand-off's channel keeps
    failing: when its newest hand-offs all failed (for good, or their last try); once per
    channel and day."""
    from ..selectors.handoff_health import (  # noqa: PLC0415 - selectors import the models
        FAILING_STREAK,
        channel_failing_streak,
    )

    if not channel_failing_streak(channel_id=handoff.channel_id):
        return
    signal = handoff.signal
    organisation = signal.organisation
    leaders = list(
        User.objects.filter(
            assigned_clients=organisation, role=Role.PROJECT_LEADER, is_active=True
        ).order_by("pk")
    )
    programme = signal.programme
    notify_on_commit(
        kind=HANDOFF_CHANNEL_FAILING,
        recipients=leaders,
        title=format_lazy(
            _("{client}: “{channel}” keeps refusing signals"),
            client=organisation.name,
            channel=handoff.channel.name,
        ),
        body=format_lazy(
            _("The last {count} signals could not be handed over. Last error: {error}"),
            count=FAILING_STREAK,
            error=handoff.last_error,
        ),
        url=reverse(
            "patrols:programme_handoff",
            kwargs={"org": organisation.slug, "programme_pk": programme.pk},
        ),
        dedupe_key=f"handoff-channel-failing:{handoff.channel_id}:{timezone.localdate()}",
        organisation=organisation,
        programme=programme,
    )


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


def department_assigned_notify(*, signal, department) -> None:
    """Tell a department's members, after commit, that a route assigned a signal to it
    (the kind of "a signal was assigned to you")."""
    from ..notifications import SIGNAL_ASSIGNED  # noqa: PLC0415 - notifications import the models

    where = " ".join(part for part in (signal.street, signal.house_number) if part)
    notify_on_commit(
        kind=SIGNAL_ASSIGNED,
        recipients=list(department.members.filter(is_active=True).order_by("pk")),
        title=format_lazy(
            _("A signal was assigned to {department}: {category}"),
            department=department.name,
            category=str(signal.category),
        ),
        body="\n".join(part for part in (where, signal.description) if part),
        url=reverse(
            "patrols:portal_signal",
            kwargs={"org": signal.organisation.slug, "signal_pk": signal.pk},
        ),
        dedupe_key=f"signal-department:{signal.pk}:{department.pk}",
        organisation=signal.organisation,
        programme=signal.programme,
    )
