"""The member's own signal as they read it on the phone: each change of status (in Dutch, in
Amsterdam time) with the client's note, when it reached the client's own system, how its
photos stand; and the list, which marks the signals that changed since they last looked."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patrols import services as patrols
from patrols.models import SignalPhoto
from patrols.models_handoff import Handoff, HandoffChannel
from patrols.services import handoff as handoff_service
from programmes.models import Notification
from programmes.permissions import Role

from .test_my_signals import _other_member, _report

pytestmark = pytest.mark.django_db


def _url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.client.slug, **kwargs})


def test_history_in_dutch_with_amsterdam_times_and_the_clients_notes(client, world, team):
    (signal,) = _report(team)
    staff = world.users[Role.CLIENT_STAFF]
    patrols.signal_transition(actor=staff, signal=signal, status="in_progress", text="We kijken")
    patrols.signal_transition(actor=staff, signal=signal, status="resolved", text="Opgeruimd")
    event = signal.events.order_by("-id").first()
    client.force_login(team[1])
    body = client.get(_url(world, "patrols:team_signal", signal_pk=signal.pk)).content.decode()
    history = body[body.index("data-history") :]
    for label in ("Nieuw", "In behandeling", "Opgelost"):
        assert label in history
    assert history.index("Nieuw") < history.index("In behandeling") < history.index("Opgelost")
    assert "We kijken" in history and "Opgeruimd" in history
    local = event.created_at.astimezone(ZoneInfo("Europe/Amsterdam"))
    assert f"{local:%H:%M}" in history


def test_an_assignment_only_row_and_its_note_are_not_shown(client, world, team):
    (signal,) = _report(team)
    staff = world.users[Role.CLIENT_STAFF]
    colleague = world.users[Role.CLIENT_STAFF]
    patrols.signal_transition(actor=staff, signal=signal, status="in_progress", text="Bezig")
    signal.refresh_from_db()
    signal.assigned_to = None
    patrols.signal_transition(
        actor=world.users[Role.PROJECT_LEADER],
        signal=signal,
        status="in_progress",
        text="Intern: alleen voor ons",
        assigned_to=colleague,
    )
    client.force_login(team[1])
    body = client.get(_url(world, "patrols:team_signal", signal_pk=signal.pk)).content.decode()
    assert "Bezig" in body
    assert "Intern: alleen voor ons" not in body


def test_handed_to_the_clients_system_with_the_time_and_nothing_of_the_channel(
    client, world, team, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    desk, _secret = handoff_service.handoff_channel_create(
        actor=world.users[Role.CLIENT_STAFF],
        organisation=world.client,
        kind=HandoffChannel.Kind.MAIL_DESK,
        name="Servicedesk geheim",
        target="meldingen@gemeente.example",
    )
    handoff_service.category_route_create(
        actor=world.users[Role.CLIENT_STAFF], channel=desk, programme=programme
    )
    with django_capture_on_commit_callbacks(execute=True):
        (signal,) = _report(team)
    handoff = Handoff.objects.get(signal=signal)
    assert handoff.state == Handoff.State.DELIVERED
    client.force_login(member)
    url = _url(world, "patrols:team_signal", signal_pk=signal.pk)
    body = client.get(url).content.decode()
    local = handoff.delivered_at.astimezone(ZoneInfo("Europe/Amsterdam"))
    assert f"Doorgegeven aan het systeem van {world.client.name} op" in body
    assert f"{local:%H:%M}" in body
    assert "Servicedesk geheim" not in body and "meldingen@gemeente.example" not in body
    # A failed hand-off says nothing (no error text); a signal without one says nothing.
    Handoff.objects.filter(pk=handoff.pk).update(
        state=Handoff.State.FAILED, delivered_at=None, last_error="SMTP 550 kapot"
    )
    body = client.get(url).content.decode()
    assert "Doorgegeven aan het systeem" not in body and "SMTP 550" not in body


def test_photos_show_their_state(client, world, team):
    (signal,) = _report(team)
    SignalPhoto.objects.create(
        organisation=world.client, signal=signal, uuid=uuid.uuid4(), payload_hash="x"
    )
    client.force_login(team[1])
    body = client.get(_url(world, "patrols:team_signal", signal_pk=signal.pk)).content.decode()
    assert 'data-photo-state="processing"' in body
    assert "(wordt verwerkt)" in body  # its placeholder says so, and so does the caption
    assert '<figcaption class="small text-body-secondary">wordt verwerkt</figcaption>' in body
    SignalPhoto.objects.filter(signal=signal).update(status=SignalPhoto.Status.READY)
    body = client.get(_url(world, "patrols:team_signal", signal_pk=signal.pk)).content.decode()
    assert 'data-photo-state="ready"' in body and "wordt verwerkt" not in body


def test_list_marks_signals_changed_since_last_looked_until_opened(client, world, team):
    first, second = _report(team, n=2)
    staff = world.users[Role.CLIENT_STAFF]
    patrols.signal_transition(actor=staff, signal=first, status="in_progress", text="Bezig")
    member = team[1]
    assert Notification.objects.filter(recipient=member, read_at__isnull=True).count() == 1
    client.force_login(member)
    url = _url(world, "patrols:team_signals")
    body = client.get(url).content.decode()
    assert body.count("data-changed") == 1
    changed_card = body[: body.index("data-changed")]
    assert _url(world, "patrols:team_signal", signal_pk=first.pk) in changed_card
    assert "In behandeling" in body
    client.get(_url(world, "patrols:team_signal", signal_pk=first.pk))
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    assert "data-changed" not in client.get(url).content.decode()


def test_list_queries_constant_from_10_to_100_signals(client, world, team):
    staff = world.users[Role.CLIENT_STAFF]
    client.force_login(team[1])
    url = _url(world, "patrols:team_signals")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx)

    made = _report(team, n=10)
    for signal in made[:5]:
        patrols.signal_transition(actor=staff, signal=signal, status="in_progress", text="Ja")
    small = count()
    made = _report(team, n=90, reported_at=timezone.now() - dt.timedelta(days=1))
    for signal in made[:50]:
        patrols.signal_transition(actor=staff, signal=signal, status="in_progress", text="Ja")
    assert count() == small


def test_another_members_signal_is_404_and_not_marked_read(client, world, team):
    (signal,) = _report(team)
    patrols.signal_transition(
        actor=world.users[Role.CLIENT_STAFF], signal=signal, status="in_progress", text="Ja"
    )
    other = _other_member(world, team)
    client.force_login(other)
    assert client.get(_url(world, "patrols:team_signal", signal_pk=signal.pk)).status_code == 404
    assert Notification.objects.filter(recipient=team[1], read_at__isnull=True).count() == 1
