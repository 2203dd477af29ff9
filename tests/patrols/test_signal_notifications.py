"""The client's staff hear of signals (urgent at once, new ones in the daily digest) and the
reporter hears of their signal's new status, through the base's notifications."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from patrols import services as patrols
from patrols.notifications import (
    SIGNAL_ASSIGNED,
    SIGNAL_NEW,
    SIGNAL_OVERDUE,
    SIGNAL_STATUS,
    SIGNAL_URGENT,
    signals_notify_new,
    signals_notify_overdue,
    signals_overdue_to_notify,
    signals_to_notify,
)
from patrols.workflow import Status
from programmes.models import Notification
from programmes.permissions import Role
from programmes.services import notifications as notifications_service
from programmes.tasks import notification_digests_send

from ..factories import UserFactory


def _signal(team, **overrides):
    programme, member, categories = team
    data = dict(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=categories[0],
        description="Matras bij de container",
        reported_at=timezone.now(),
        street="Lindelaan",
        house_number="12",
    )
    data.update(overrides)
    return patrols.signal_report(**data)[0]


def _staff_rows(world, kind):
    return Notification.objects.filter(recipient=world.users[Role.CLIENT_STAFF], kind=kind)


def test_urgent_signal_mails_the_client_staff_at_once(
    team, world, mailoutbox, django_capture_on_commit_callbacks
):
    staff = world.users[Role.CLIENT_STAFF]
    colleague = UserFactory(
        email="collega@noord.example", role=Role.CLIENT_STAFF, organisation=world.client
    )
    notifications_service.preferences_set(user=colleague, kind=SIGNAL_URGENT, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _signal(team, urgent=True)
    assert [m.to[0].split("<")[-1].rstrip(">") for m in mailoutbox] == [staff.email]
    assert "Dringende melding" in mailoutbox[0].subject
    assert "Lindelaan 12" in mailoutbox[0].body
    assert (
        reverse("patrols:portal_signal", kwargs={"org": world.client.slug, "signal_pk": signal.pk})
        in mailoutbox[0].body
    )
    # The colleague who switched the mail off has it in the app only; the member nothing.
    urgent = Notification.objects.filter(kind=SIGNAL_URGENT)
    assert {(n.recipient, n.mail) for n in urgent} == {
        (staff, Notification.Mail.QUEUED),
        (colleague, Notification.Mail.NONE),
    }
    # The sweep runs after the nudge: nobody is told of the urgent signal twice.
    with django_capture_on_commit_callbacks(execute=True):
        signals_notify_new.apply()
        signals_notify_new.apply()
    assert len(mailoutbox) == 1
    assert _staff_rows(world, SIGNAL_URGENT).count() == 1
    # In the digest, which waits; not a second line in the app beside the urgent one.
    (new,) = _staff_rows(world, SIGNAL_NEW)
    assert new.mail == Notification.Mail.DIGEST and not new.in_app


def test_new_signals_come_in_one_daily_digest(
    team, world, mailoutbox, django_capture_on_commit_callbacks, other_world
):
    with django_capture_on_commit_callbacks(execute=True):
        _signal(team, description="Eerste")
        _signal(team, description="Tweede")
    assert mailoutbox == []  # not urgent: nothing at once, nothing from the request
    with django_capture_on_commit_callbacks(execute=True):
        signals_notify_new.apply()
        signals_notify_new.apply()
    rows = _staff_rows(world, SIGNAL_NEW)
    assert rows.count() == 2 and {r.mail for r in rows} == {Notification.Mail.DIGEST}
    # Another organisation's staff hear nothing of these signals.
    assert not Notification.objects.filter(recipient=other_world.users[Role.CLIENT_STAFF])
    notifications_service.preferences_set(
        user=world.users[Role.CLIENT_STAFF], kind=SIGNAL_NEW, digest_hour=0
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_digests_send.apply().get() == 1
        assert notification_digests_send.apply().get() == 0  # the beat fires again
    assert len(mailoutbox) == 1
    assert "Eerste" in mailoutbox[0].body and "Tweede" in mailoutbox[0].body


def test_new_signals_switched_off_means_no_notice(team, world, mailoutbox):
    staff = world.users[Role.CLIENT_STAFF]
    notifications_service.preferences_set(user=staff, kind=SIGNAL_NEW, email=False, in_app=False)
    _signal(team)
    signals_notify_new.apply()
    assert not _staff_rows(world, SIGNAL_NEW).exists()


def test_the_reporter_sees_the_new_status_in_the_app(
    team, world, mailoutbox, django_capture_on_commit_callbacks, client
):
    member = team[1]
    signal = _signal(team)
    with django_capture_on_commit_callbacks(execute=True):
        patrols.signal_transition(
            actor=world.users[Role.CLIENT_STAFF], signal=signal, status=Status.IN_PROGRESS
        )
    (row,) = Notification.objects.filter(recipient=member, kind=SIGNAL_STATUS)
    assert "In behandeling" in row.title or "In progress" in row.title
    assert row.mail == Notification.Mail.NONE  # mail is the member's choice, off by default
    assert mailoutbox == []
    client.force_login(member)
    page = client.get(reverse("notification_list")).content.decode()
    assert row.title in page


def test_the_reporter_may_choose_mail_too(
    team, world, mailoutbox, django_capture_on_commit_callbacks
):
    member = team[1]
    notifications_service.preferences_set(user=member, kind=SIGNAL_STATUS, email=True)
    signal = _signal(team)
    with django_capture_on_commit_callbacks(execute=True):
        patrols.signal_transition(
            actor=world.users[Role.CLIENT_STAFF],
            signal=signal,
            status=Status.FORWARDED,
            text="Doorgestuurd naar de reiniging",
        )
    assert len(mailoutbox) == 1
    assert "Doorgestuurd naar de reiniging" in mailoutbox[0].body


def test_assigning_without_a_new_status_tells_the_reporter_nothing(team, world):
    signal = _signal(team)
    colleague = UserFactory(
        email="collega2@noord.example", role=Role.CLIENT_STAFF, organisation=world.client
    )
    patrols.signal_transition(
        actor=world.users[Role.CLIENT_STAFF],
        signal=signal,
        status=Status.NEW,
        assigned_to=colleague,
    )
    assert not Notification.objects.filter(kind=SIGNAL_STATUS).exists()


def test_old_signals_are_not_swept(team, world):
    signal = _signal(team)
    type(signal).objects.filter(pk=signal.pk).update(
        created_at=timezone.now() - dt.timedelta(days=3)
    )
    signals_notify_new.apply()
    assert not _staff_rows(world, SIGNAL_NEW).exists()


def test_overdue_signals_are_told_once(team, world):
    open_signal = _signal(team, description="Nog open")
    resolved = _signal(team, description="Al klaar")
    long_ago = _signal(team, description="Lang geleden")
    patrols.signal_transition(
        actor=world.users[Role.CLIENT_STAFF], signal=resolved, status=Status.RESOLVED, text="Ok"
    )
    today = timezone.localdate()
    Signal = type(open_signal)
    Signal.objects.filter(pk__in=[open_signal.pk, resolved.pk]).update(
        due_date=today - dt.timedelta(days=1)
    )
    Signal.objects.filter(pk=long_ago.pk).update(due_date=today - dt.timedelta(days=30))
    signals_notify_overdue.apply()
    signals_notify_overdue.apply()
    (row,) = _staff_rows(world, SIGNAL_OVERDUE)
    assert row.dedupe_key == f"signal-overdue:{open_signal.pk}"
    assert "Nog open" in row.body and row.mail == Notification.Mail.DIGEST


def test_a_colleague_hears_a_signal_was_assigned_to_them(
    team, world, mailoutbox, django_capture_on_commit_callbacks
):
    staff = world.users[Role.CLIENT_STAFF]
    colleague = UserFactory(
        email="collega3@noord.example", role=Role.CLIENT_STAFF, organisation=world.client
    )
    signal = _signal(team)
    with django_capture_on_commit_callbacks(execute=True):
        patrols.signal_transition(
            actor=staff, signal=signal, status=Status.IN_PROGRESS, assigned_to=colleague
        )
        # Taking it on oneself tells nobody.
        patrols.signal_transition(
            actor=staff, signal=signal, status=Status.IN_PROGRESS, assigned_to=staff
        )
    (row,) = Notification.objects.filter(kind=SIGNAL_ASSIGNED)
    assert row.recipient == colleague
    assert [m.to[0].split("<")[-1].rstrip(">") for m in mailoutbox] == [colleague.email]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN of PostgreSQL")
@pytest.mark.parametrize(
    ("find", "index"),
    [
        (signals_to_notify, "signal_created"),
        (signals_overdue_to_notify, "signal_open_due"),
    ],
)
def test_the_sweeps_read_a_range_of_an_index_not_every_tenants_signals(world, team, find, index):
    """The sweeps run every few minutes over every tenant's signals: each reads a short range
    of its own index, never the whole table (which grows by the million)."""
    with CaptureQueriesContext(connection) as ctx, scopes_disabled():
        find()
    (sql,) = [q["sql"] for q in ctx.captured_queries if "patrols_signal" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan
    assert "Seq Scan on patrols_signal" not in plan, plan
