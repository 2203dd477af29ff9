"""The hand-off's health as the project leader sees it, per programme: how many of the
programme's signals were delivered to the client's own system, are failing or still waiting
(per channel and in all, one aggregate query), and which signals stay open past their
category's handling time (a signal's `due_date`, set from the category when reported).

The programme is one the caller may see (`ProgrammeMixin` looked it up), so scoping is the
programme's own: every query is filtered by it.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from ..models import Signal
from ..models_handoff import Handoff, HandoffChannel
from ..workflow import OPEN_STATUSES

# Overdue signals listed by name (the oldest first); the count covers all of them.
OVERDUE_SHOWN = 20
# Hand-offs in a row (the channel's newest tried ones) that failed, for good or waiting for
# their next try, that make a channel "failing".
FAILING_STREAK = 3

_WAITING = (Handoff.State.WAITING, Handoff.State.SENDING)


@dataclass
class ChannelHealth:
    name: str
    kind_label: str
    is_active: bool
    delivered: int = 0
    failing: int = 0
    waiting: int = 0


@dataclass
class HandoffHealth:
    delivered: int = 0
    failing: int = 0
    waiting: int = 0
    channels: list[ChannelHealth] = field(default_factory=list)
    overdue_count: int = 0
    overdue: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.delivered + self.failing + self.waiting


def handoff_health(*, programme, today=None) -> HandoffHealth:
    """The programme's hand-off counts by channel (one grouped query) and overdue signals."""
    today = today or timezone.localdate()
    kinds = dict(HandoffChannel.Kind.choices)
    rows = (
        Handoff.objects.filter(signal__programme=programme)
        .values("channel_id", "channel__name", "channel__kind", "channel__is_active")
        .annotate(
            delivered=Count("pk", filter=Q(state=Handoff.State.DELIVERED)),
            failing=Count("pk", filter=Q(state=Handoff.State.FAILED)),
            waiting=Count("pk", filter=Q(state__in=_WAITING)),
        )
        .order_by("channel__name", "channel_id")
    )
    health = HandoffHealth()
    for row in rows:
        channel = ChannelHealth(
            name=row["channel__name"],
            kind_label=str(kinds.get(row["channel__kind"], "")),
            is_active=row["channel__is_active"],
            delivered=row["delivered"],
            failing=row["failing"],
            waiting=row["waiting"],
        )
        health.channels.append(channel)
        health.delivered += channel.delivered
        health.failing += channel.failing
        health.waiting += channel.waiting
    overdue = Signal.objects.filter(
        programme=programme, status__in=OPEN_STATUSES, due_date__lt=today
    )
    health.overdue_count = overdue.count()
    if health.overdue_count:
        health.overdue = list(
            overdue.select_related("category", "category__parent").order_by("due_date", "pk")[
                :OVERDUE_SHOWN
            ]
        )
    return health


def channel_failing_streak(*, channel_id: int, streak: int = FAILING_STREAK) -> bool:
    """Whether the channel's newest `streak` tried hand-offs all failed: for good, or their
    last try did and they wait for the next (a channel that is down fails each in turn)."""
    rows = list(
        Handoff.objects.filter(channel_id=channel_id, attempted_at__isnull=False)
        .order_by("-attempted_at", "-pk")
        .values_list("state", "last_error")[:streak]
    )
    return len(rows) == streak and all(
        state == Handoff.State.FAILED or (state == Handoff.State.WAITING and error)
        for state, error in rows
    )
