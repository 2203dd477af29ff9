"""A signal's close date is the moment it went from open to closed: handing a closed signal to
a colleague keeps it (so its handling time, and the figures by last close, stay put);
reopening clears it and closing again sets it anew."""

import datetime as dt
import uuid

from django.utils import timezone

from patrols import services as patrols
from patrols.models import Signal
from patrols.workflow import Status
from programmes.permissions import Role

from ..factories import UserFactory


def _signal(team):
    programme, member, categories = team
    signal, _ = patrols.signal_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=categories[0],
        description="Matras bij de container",
        reported_at=timezone.now() - dt.timedelta(days=10),
        street="Lindelaan",
    )
    return signal


def test_reassigning_a_closed_signal_keeps_its_close_date(team, world):
    staff = world.users[Role.CLIENT_STAFF]
    colleague = UserFactory(
        email="collega@noord.example", role=Role.CLIENT_STAFF, organisation=world.client
    )
    for closed in (Status.RESOLVED, Status.NOT_APPLICABLE):
        signal = patrols.signal_transition(
            actor=staff, signal=_signal(team), status=closed, text="Opgehaald"
        )
        assert signal.closed_at is not None
        # Closed five days ago (as if): handing it to a colleague now leaves that day alone.
        five_days_ago = timezone.now() - dt.timedelta(days=5)
        Signal.objects.filter(pk=signal.pk).update(closed_at=five_days_ago)
        signal = patrols.signal_transition(
            actor=staff, signal=signal, status=closed, assigned_to=colleague
        )
        assert signal.assigned_to == colleague and signal.status == closed
        signal.refresh_from_db()
        assert signal.closed_at == five_days_ago


def test_reopening_clears_the_close_date_and_closing_again_sets_it_anew(team, world):
    staff = world.users[Role.CLIENT_STAFF]
    signal = patrols.signal_transition(
        actor=staff, signal=_signal(team), status=Status.RESOLVED, text="Opgehaald"
    )
    first_close = timezone.now() - dt.timedelta(days=5)
    Signal.objects.filter(pk=signal.pk).update(closed_at=first_close)
    signal = patrols.signal_transition(actor=staff, signal=signal, status=Status.IN_PROGRESS)
    signal.refresh_from_db()
    assert signal.closed_at is None
    # Assigned while open: still open, no close date.
    signal = patrols.signal_transition(
        actor=staff, signal=signal, status=Status.IN_PROGRESS, assigned_to=staff
    )
    signal.refresh_from_db()
    assert signal.closed_at is None
    before = timezone.now()
    signal = patrols.signal_transition(
        actor=staff, signal=signal, status=Status.RESOLVED, text="Nu echt opgehaald"
    )
    signal.refresh_from_db()
    assert signal.closed_at >= before > first_close
