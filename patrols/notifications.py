"""What the patrols app tells people through the base's notifications: an urgent signal (the
client's staff, at once), new signals (the client's staff, a daily digest by default) and a
signal's new status (the team member who reported it, in the app; by mail if they want).

The phone's signal request stays lean: an urgent signal queues its notice after commit, and
every new signal (urgent ones too, in case that nudge was lost) is picked up by a periodic
sweep (`signals_notify_new`), since a digest has time. The dedupe keys make every notice go
once, however often the sweep or the nudge runs.
"""

from datetime import timedelta

from celery import shared_task
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_scopes import scope, scopes_disabled

from programmes.models import Notification, User
from programmes.notification_kinds import DIGEST, NotificationKind, register_notification_kind
from programmes.permissions import Role
from programmes.queueing import enqueue_on_commit
from programmes.services.notifications import notify

from .models import Signal
from .workflow import OPEN_STATUSES, Status

SIGNAL_URGENT = "patrols.signal_urgent"
SIGNAL_NEW = "patrols.signal_new"
SIGNAL_STATUS = "patrols.signal_status"
SIGNAL_OVERDUE = "patrols.signal_overdue"
SIGNAL_ASSIGNED = "patrols.signal_assigned"

# New signals the sweep looks back on: long enough to outlast a stopped beat for a while.
SWEEP_WINDOW = timedelta(hours=24)
# Overdue signals the sweep looks back on (days past their target date): a signal is told
# about once, soon after its date passed, not again every day it stays open.
OVERDUE_WINDOW_DAYS = 7

KINDS = (
    NotificationKind(
        code=SIGNAL_URGENT,
        label=_("Urgent signal"),
        description=_("A team member marked a signal as urgent."),
        audience={Role.CLIENT_STAFF},
        digest=False,
        order=10,
    ),
    NotificationKind(
        code=SIGNAL_NEW,
        label=_("New signals"),
        description=_("Every signal the team reports."),
        audience={Role.CLIENT_STAFF},
        default_mode=DIGEST,
        order=20,
    ),
    NotificationKind(
        code=SIGNAL_OVERDUE,
        label=_("Overdue signals"),
        description=_("A signal is still open after its handling time."),
        audience={Role.CLIENT_STAFF},
        default_mode=DIGEST,
        order=25,
    ),
    NotificationKind(
        code=SIGNAL_ASSIGNED,
        label=_("A signal was assigned to you"),
        description=_("A colleague or a route of your organisation gave you a signal to handle."),
        audience={Role.CLIENT_STAFF},
        order=15,
    ),
    NotificationKind(
        code=SIGNAL_STATUS,
        label=_("Your signal has a new status"),
        description=_("When the client takes up, forwards or resolves a signal you reported."),
        audience={Role.TEAM_MEMBER},
        default_email=False,
        digest=False,
        order=30,
    ),
)


def register() -> None:
    """Register the app's notification kinds (from `PatrolsConfig.ready`)."""
    for kind in KINDS:
        register_notification_kind(kind)


def _staff(organisation_id: int) -> list[User]:
    return list(
        User.objects.filter(
            organisation_id=organisation_id, role=Role.CLIENT_STAFF, is_active=True
        ).order_by("pk")
    )


def _where(signal: Signal) -> str:
    return " ".join(part for part in (signal.street, signal.house_number) if part)


def _body(signal: Signal) -> str:
    return "\n".join(part for part in (_where(signal), signal.description) if part)


def _portal_url(signal: Signal) -> str:
    return reverse(
        "patrols:portal_signal",
        kwargs={"org": signal.organisation.slug, "signal_pk": signal.pk},
    )


def signal_reported_notify(*, signal: Signal, staff: list[User] | None = None) -> int:
    """Tell the client's staff about a new signal: the urgent notice (if it is urgent) and
    the "new signals" one. Runs inside the signal's tenant scope; returns the rows written."""
    staff = _staff(signal.organisation_id) if staff is None else staff
    written = 0
    category = str(signal.category)
    key = f"signal:{signal.pk}"
    shown = set()  # who sees the urgent notice in the app: the "new" one is mail-only for them
    if signal.urgent:
        written += len(
            notify(
                kind=SIGNAL_URGENT,
                recipients=staff,
                title=format_lazy(_("Urgent signal: {category}"), category=category),
                body=_body(signal),
                url=_portal_url(signal),
                dedupe_key=key,
                organisation=signal.organisation,
                programme=signal.programme,
            )
        )
        shown = set(
            Notification.objects.filter(
                kind=SIGNAL_URGENT, dedupe_key=key, in_app=True
            ).values_list("recipient_id", flat=True)
        )
    for recipients, in_app in (
        ([user for user in staff if user.pk not in shown], True),
        ([user for user in staff if user.pk in shown], False),
    ):
        written += len(
            notify(
                kind=SIGNAL_NEW,
                recipients=recipients,
                title=format_lazy(_("New signal: {category}"), category=category),
                body=_body(signal),
                url=_portal_url(signal),
                dedupe_key=key,
                organisation=signal.organisation,
                programme=signal.programme,
                in_app=in_app,
            )
        )
    return written


def signal_reported_nudge(*, signal: Signal) -> None:
    """After commit, tell the staff of an urgent signal at once (the sweep is the net)."""
    if signal.urgent:
        enqueue_on_commit(
            signal_notify, signal_id=signal.pk, organisation_id=signal.organisation_id
        )


def signal_assigned_notify(*, signal: Signal, assignee: User) -> None:
    """Tell a colleague a signal was assigned to them (by someone else, or by a route)."""
    notify(
        kind=SIGNAL_ASSIGNED,
        recipients=[assignee],
        title=format_lazy(
            _("A signal was assigned to you: {category}"), category=str(signal.category)
        ),
        body=_body(signal),
        url=_portal_url(signal),
        dedupe_key=f"signal-assigned:{signal.pk}:{assignee.pk}:{timezone.now().isoformat()}",
        organisation=signal.organisation,
        programme=signal.programme,
    )


def signal_status_notify(*, signal: Signal, previous: str, text: str = "") -> None:
    """Tell the reporter their signal has a new status, with the client's note."""
    reporter = signal.reported_by
    if reporter is None or previous == signal.status:
        return
    notify(
        kind=SIGNAL_STATUS,
        recipients=[reporter],
        title=format_lazy(
            _("Your signal “{category}” is now: {status}"),
            category=str(signal.category),
            status=Status(signal.status).label,
        ),
        body=text.strip(),
        url=reverse(
            "patrols:team_signal",
            kwargs={"org": signal.organisation.slug, "signal_pk": signal.pk},
        ),
        dedupe_key=f"signal-status:{signal.pk}:{previous}:{signal.status}:"
        f"{timezone.now().isoformat()}",
        organisation=signal.organisation,
        programme=signal.programme,
    )


def signals_to_notify(*, now=None) -> list[tuple[int, int]]:
    """(signal id, organisation id) of recent signals nobody was told about yet. Reads every
    tenant: call it with scoping off."""
    now = now or timezone.now()
    told = Notification.objects.filter(
        organisation_id=OuterRef("organisation_id"),
        kind=SIGNAL_NEW,
        dedupe_key=Concat(Value("signal:"), Cast(OuterRef("pk"), CharField())),
    )
    return list(
        Signal.objects.filter(created_at__gte=now - SWEEP_WINDOW)
        .exclude(Exists(told))
        .order_by("created_at")
        .values_list("pk", "organisation_id")
    )


@shared_task(acks_late=True)
def signal_notify(*, signal_id: int, organisation_id: int) -> int:
    """Tell the client's staff about one new signal (idempotent: dedupe keys)."""
    with scope(organisation=organisation_id):
        signal = (
            Signal.objects.select_related("organisation", "programme", "category")
            .filter(pk=signal_id)
            .first()
        )
        return signal_reported_notify(signal=signal) if signal is not None else 0


def _notify_each(due, notify_one) -> int:
    """Run `notify_one(signal=..., staff=...)` for each (signal id, organisation id) inside its
    organisation's scope, reading each client's staff once; returns the rows written."""
    staff_of: dict[int, list[User]] = {}
    written = 0
    for signal_id, organisation_id in due:
        with scope(organisation=organisation_id):
            if organisation_id not in staff_of:
                staff_of[organisation_id] = _staff(organisation_id)
            signal = (
                Signal.objects.select_related("organisation", "programme", "category")
                .filter(pk=signal_id)
                .first()
            )
            if signal is not None:
                written += notify_one(signal=signal, staff=staff_of[organisation_id])
    return written


@shared_task(acks_late=True)
def signals_notify_new() -> int:
    """Periodic: tell the client's staff about new signals nobody was told about yet."""
    # Finding them spans every tenant: scoping is off for the look-up only; each signal is
    # then notified inside its own organisation's scope.
    with scopes_disabled():
        due = signals_to_notify()
    return _notify_each(due, signal_reported_notify)


def signals_overdue_to_notify(*, today=None) -> list[tuple[int, int]]:
    """(signal id, organisation id) of open signals past their target date (by at most
    OVERDUE_WINDOW_DAYS) nobody was told about yet. Reads every tenant: scoping off."""
    today = today or timezone.localdate()
    told = Notification.objects.filter(
        organisation_id=OuterRef("organisation_id"),
        kind=SIGNAL_OVERDUE,
        dedupe_key=Concat(Value("signal-overdue:"), Cast(OuterRef("pk"), CharField())),
    )
    return list(
        Signal.objects.filter(
            status__in=OPEN_STATUSES,
            due_date__lt=today,
            due_date__gte=today - timedelta(days=OVERDUE_WINDOW_DAYS),
        )
        .exclude(Exists(told))
        .order_by("due_date", "pk")
        .values_list("pk", "organisation_id")
    )


def signal_overdue_notify(*, signal: Signal, staff: list[User]) -> int:
    """Tell the client's staff a signal is past its target date (once per signal)."""
    return len(
        notify(
            kind=SIGNAL_OVERDUE,
            recipients=staff,
            title=format_lazy(
                _("Signal past its handling time: {category}"), category=str(signal.category)
            ),
            body=_body(signal),
            url=_portal_url(signal),
            dedupe_key=f"signal-overdue:{signal.pk}",
            organisation=signal.organisation,
            programme=signal.programme,
        )
    )


@shared_task(acks_late=True)
def signals_notify_overdue() -> int:
    """Periodic: tell the client's staff about signals that passed their target date."""
    # Finding them spans every tenant: scoping is off for the look-up only; each signal is
    # then notified inside its own organisation's scope.
    with scopes_disabled():
        due = signals_overdue_to_notify()
    return _notify_each(due, signal_overdue_notify)
