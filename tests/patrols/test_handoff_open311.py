"""Open311 (GeoReport v2) hand-off, against a real Open311 system on loopback: the service list
fetched and mapped to our categories, the POST of the request (our category's service code in
it), the service request id kept (or a token resolved later), retries on 5xx, a permanent
failure on 4xx with the system's own words, and the status polled back into the workflow once."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from patrols import services as patrols
from patrols.handoff import open311, secrets
from patrols.handoff.tasks import open311_poll_all
from patrols.models import SignalEvent
from patrols.models_handoff import Handoff, HandoffChannel
from patrols.services import handoff as handoff_service
from patrols.services import open311 as open311_service
from patrols.workflow import Status
from programmes.models import AuditEntry, Notification
from programmes.permissions import Role

from .open311_server import Open311Server

pytestmark = pytest.mark.django_db

API_KEY = "geheime-sleutel"


@pytest.fixture(autouse=True)
def _local_targets(settings):
    """The tests' Open311 system listens on loopback over http."""
    settings.HANDOFF_ALLOW_LOCAL_TARGETS = True


@pytest.fixture
def system():
    server = Open311Server().start()
    yield server
    server.stop()


def _grofvuil(categories):
    return next(c for c in categories if c.name == "Grofvuil")


def _connect(world, system, *, map_to=None, **extra):
    """An Open311 channel with its services fetched, routed for the team's signals, and
    `map_to` ({category: service code}) mapped."""
    staff = world.users[Role.CLIENT_STAFF]
    channel, shown = handoff_service.handoff_channel_create(
        actor=staff,
        organisation=world.client,
        kind=HandoffChannel.Kind.OPEN311,
        name="Meldingen gemeente",
        target=system.base,
        api_key=API_KEY,
        **extra,
    )
    assert shown == ""  # the API key is the client's own: nothing to show
    open311_service.open311_services_fetch(actor=staff, channel=channel)
    if map_to:
        open311_service.open311_services_map(
            actor=staff, channel=channel, mapping={c.pk: code for c, code in map_to.items()}
        )
    return channel


def _route(world, channel, programme):
    return handoff_service.category_route_create(
        actor=world.users[Role.CLIENT_STAFF], channel=channel, programme=programme
    )


def _report(programme, member, category, **extra):
    return patrols.signal_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=category,
        description=extra.pop("description", "Bank en matras naast de container"),
        reported_at=timezone.now(),
        street="Lindelaan",
        house_number="12",
        latitude=52.090701,
        longitude=5.121403,
        **extra,
    )[0]


def test_services_are_fetched_and_the_api_key_stored_encrypted(world, team, system):
    channel = _connect(world, system, jurisdiction_id="noordstad.nl")
    channel.refresh_from_db()
    # By group, then name: the one without a group first.
    assert [s["code"] for s in channel.services] == ["OV-99", "GV-01", "VL-02"]
    assert {s["code"]: s["name"] for s in channel.services}["GV-01"] == "Grofvuil"
    assert channel.services_fetched_at is not None
    assert API_KEY not in channel.secret_encrypted
    assert secrets.decrypt(channel.secret_encrypted) == API_KEY
    assert system.gets == ["/open311/v2/services.json?jurisdiction_id=noordstad.nl"]
    entry = AuditEntry.objects.get(action="handoff_channel.created", object_id=str(channel.pk))
    assert API_KEY not in str(entry.data)


def test_our_category_goes_as_their_service_code(
    world, team, system, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    grofvuil = _grofvuil(categories)
    # Mapped on the main category: its sub-category Grofvuil goes along.
    channel = _connect(world, system, map_to={grofvuil.parent: "GV-01"})
    _route(world, channel, programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, grofvuil)
    (posted,) = system.posted
    assert posted["path"] == "/open311/v2/requests.json"
    form = posted["form"]
    assert form["api_key"] == API_KEY
    assert form["service_code"] == "GV-01"
    assert (form["lat"], form["long"]) == ("52.090701", "5.121403")
    assert form["address_string"] == "Lindelaan 12"
    assert f"[BT-{signal.pk}]" in form["description"]
    assert "Bank en matras naast de container" in form["description"]
    # No photo goes out: a media_url would have to be public.
    assert "media_url" not in form
    handoff = Handoff.objects.get(signal=signal)
    assert handoff.state == Handoff.State.DELIVERED
    assert handoff.external_ref == "SR-1001"
    assert AuditEntry.objects.filter(action="handoff.delivered", object_id=str(signal.pk)).exists()


def test_the_system_closes_it_and_our_signal_is_resolved_with_the_note_once(
    world, team, system, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    grofvuil = _grofvuil(categories)
    channel = _connect(world, system, map_to={grofvuil: "GV-01"})
    _route(world, channel, programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, grofvuil)
    # Still open there: nothing moves.
    assert open311_service.open311_poll(channel_id=channel.pk) == 0
    signal.refresh_from_db()
    assert signal.status == Status.NEW
    system.close("SR-1001", "Opgehaald door de reiniging")
    with django_capture_on_commit_callbacks(execute=True):
        assert open311_service.open311_poll(channel_id=channel.pk) == 1
    signal.refresh_from_db()
    assert signal.status == Status.RESOLVED
    event = SignalEvent.objects.filter(signal=signal).order_by("pk").last()
    assert event.text == "Opgehaald door de reiniging"
    entry = AuditEntry.objects.get(action="handoff.status_received", object_id=str(signal.pk))
    assert entry.data["remote_status"] == "closed"
    handoff = Handoff.objects.get(signal=signal)
    assert (handoff.remote_status, handoff.remote_updated) == (
        "closed",
        "2026-12-07T10:00:00+01:00",
    )
    asked = [g for g in system.gets if g.startswith("/open311/v2/requests.json")]
    assert asked[-1] == "/open311/v2/requests.json?service_request_id=SR-1001"
    # Polled again: a closed signal is not asked about, and nothing moves twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert open311_service.open311_poll(channel_id=channel.pk) == 0
    assert SignalEvent.objects.filter(signal=signal, to_status=Status.RESOLVED).count() == 1
    assert AuditEntry.objects.filter(action="handoff.status_received").count() == 1


def test_a_status_seen_before_moves_nothing_even_when_the_signal_is_open_again(
    world, team, system, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    grofvuil = _grofvuil(categories)
    channel = _connect(world, system, map_to={grofvuil: "GV-01"})
    _route(world, channel, programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, grofvuil)
    system.close("SR-1001", "Opgehaald")
    with django_capture_on_commit_callbacks(execute=True):
        open311_service.open311_poll(channel_id=channel.pk)
    # The client's staff reopen it here; their system still says "closed" (the same update).
    patrols.signal_transition(
        actor=world.users[Role.CLIENT_STAFF], signal=signal, status=Status.IN_PROGRESS
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert open311_service.open311_poll(channel_id=channel.pk) == 0
    signal.refresh_from_db()
    assert signal.status == Status.IN_PROGRESS


def test_a_token_is_resolved_into_the_request_id_later(
    world, team, system, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    grofvuil = _grofvuil(categories)
    system.tokens, system.token_ready = True, False
    channel = _connect(world, system, map_to={grofvuil: "GV-01"})
    _route(world, channel, programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, grofvuil)
    handoff = Handoff.objects.get(signal=signal)
    assert handoff.state == Handoff.State.DELIVERED
    assert (handoff.external_ref, handoff.remote_token) == ("", "tok-1")
    system.token_ready = True
    system.close("SR-1001", "Opgeruimd")
    with django_capture_on_commit_callbacks(execute=True):
        assert open311_service.open311_poll(channel_id=channel.pk) == 1
    handoff.refresh_from_db()
    assert (handoff.external_ref, handoff.remote_token) == ("SR-1001", "")
    assert "/open311/v2/tokens/tok-1.json" in system.gets
    signal.refresh_from_db()
    assert signal.status == Status.RESOLVED


def test_a_500_is_tried_again(world, team, system, django_capture_on_commit_callbacks):
    programme, member, categories = team
    grofvuil = _grofvuil(categories)
    system.post_answers = [500, 201]
    channel = _connect(world, system, map_to={grofvuil: "GV-01"})
    _route(world, channel, programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, grofvuil)
    handoff = Handoff.objects.get(signal=signal)
    assert (handoff.state, handoff.attempts) == (Handoff.State.WAITING, 1)
    assert "500" in handoff.last_error
    later = handoff.next_attempt_at + dt.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        handoff_service.handoff_deliver(handoff_id=handoff.pk, now=later)
    handoff.refresh_from_db()
    assert (handoff.state, handoff.external_ref) == (Handoff.State.DELIVERED, "SR-1001")
    assert [a.status_code for a in handoff.log.all()] == [500, 201]
    assert [a.outcome for a in handoff.log.all()] == ["retry", "delivered"]


def test_a_400_fails_for_good_with_their_description(
    world, team, system, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    grofvuil = _grofvuil(categories)
    system.post_answers = [400]
    channel = _connect(world, system, map_to={grofvuil: "GV-01"})
    _route(world, channel, programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, grofvuil)
    handoff = Handoff.objects.get(signal=signal)
    assert handoff.state == Handoff.State.FAILED
    assert handoff.last_error == "HTTP 400: service_code is not valid"
    assert Notification.objects.filter(kind="patrols.handoff_failed").exists()
    signal.refresh_from_db()
    assert signal.status == Status.NEW
    later = timezone.now() + dt.timedelta(hours=2)
    assert handoff_service.handoff_deliver(handoff_id=handoff.pk, now=later) == "skipped"
    assert len(system.posted) == 1


def test_an_unmapped_category_fails_with_a_clear_message(
    world, team, system, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    grofvuil = _grofvuil(categories)
    other = next(c for c in categories if c.parent_id is None and c.pk != grofvuil.parent_id)
    channel = _connect(world, system, map_to={other: "VL-02"})
    _route(world, channel, programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, grofvuil)
    handoff = Handoff.objects.get(signal=signal)
    assert handoff.state == Handoff.State.FAILED
    assert "no Open311 service is chosen" in handoff.last_error
    assert str(grofvuil) in handoff.last_error
    assert system.posted == []


def test_a_service_list_that_is_not_one_is_refused(world, team, system):
    staff = world.users[Role.CLIENT_STAFF]
    channel, _ = handoff_service.handoff_channel_create(
        actor=staff,
        organisation=world.client,
        kind=HandoffChannel.Kind.OPEN311,
        name="Meldingen",
        target=system.base,
        api_key=API_KEY,
    )
    system.services = {"services": "none"}
    with pytest.raises(ValidationError, match="geen Open311-lijst met diensten"):
        open311_service.open311_services_fetch(actor=staff, channel=channel)
    system.services = [{"service_name": "no code"}]
    with pytest.raises(ValidationError, match="geen Open311-lijst met diensten"):
        open311_service.open311_services_fetch(actor=staff, channel=channel)
    with pytest.raises(open311.Open311Error, match="no services"):
        open311.services_fetch(channel)
    channel.refresh_from_db()
    assert channel.services == []


def test_a_large_answer_is_not_read_whole(world, team, system, monkeypatch):
    monkeypatch.setattr(open311, "MAX_ANSWER_BYTES", 200)
    staff = world.users[Role.CLIENT_STAFF]
    channel, _ = handoff_service.handoff_channel_create(
        actor=staff,
        organisation=world.client,
        kind=HandoffChannel.Kind.OPEN311,
        name="Meldingen",
        target=system.base,
        api_key=API_KEY,
    )
    with pytest.raises(open311.Open311Error, match="too large"):
        open311.services_fetch(channel)
    with pytest.raises(ValidationError, match="geen Open311-lijst met diensten"):
        open311_service.open311_services_fetch(actor=staff, channel=channel)


def test_a_private_address_is_refused_outside_development(world, team, system, settings):
    staff = world.users[Role.CLIENT_STAFF]
    channel, _ = handoff_service.handoff_channel_create(
        actor=staff,
        organisation=world.client,
        kind=HandoffChannel.Kind.OPEN311,
        name="Meldingen",
        target=system.base,
        api_key=API_KEY,
    )
    settings.HANDOFF_ALLOW_LOCAL_TARGETS = False
    with pytest.raises(ValidationError, match="geen openbaar internetadres"):
        open311_service.open311_services_fetch(actor=staff, channel=channel)
    assert system.gets == []


def test_the_beat_polls_each_active_channel_in_its_tenant(
    world, team, system, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    grofvuil = _grofvuil(categories)
    channel = _connect(world, system, map_to={grofvuil: "GV-01"})
    _route(world, channel, programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, grofvuil)
    system.close("SR-1001", "Opgehaald")
    with django_capture_on_commit_callbacks(execute=True):
        assert open311_poll_all() == 1  # eager in the tests: polled at once
    signal.refresh_from_db()
    assert signal.status == Status.RESOLVED


def test_settings_pages_fetch_and_map(client, world, team, system):
    programme, _member, categories = team
    grofvuil = _grofvuil(categories)
    staff = world.users[Role.CLIENT_STAFF]
    client.force_login(staff)
    settings_url = reverse("patrols:portal_handoff", kwargs={"org": world.client.slug})
    response = client.post(
        settings_url,
        {
            "kind": "open311",
            "name": "Meldingen gemeente",
            "target": system.base,
            "api_key": API_KEY,
            "jurisdiction_id": "",
        },
    )
    assert response.status_code == 200
    assert API_KEY not in response.content.decode()
    channel = HandoffChannel.objects.get(organisation=world.client, name="Meldingen gemeente")
    # Without the API key: a clear message, nothing made.
    response = client.post(
        settings_url, {"kind": "open311", "name": "Zonder sleutel", "target": system.base}
    )
    assert response.status_code == 200
    assert not HandoffChannel.objects.filter(name="Zonder sleutel").exists()
    kwargs = {"org": world.client.slug, "channel_pk": channel.pk}
    response = client.post(reverse("patrols:portal_handoff_services_fetch", kwargs=kwargs))
    assert response.status_code == 302
    page = client.get(settings_url).content.decode()
    assert "Straatverlichting" in page and API_KEY not in page
    response = client.post(
        reverse("patrols:portal_handoff_services_map", kwargs=kwargs),
        {f"service-{grofvuil.pk}": "GV-01"},
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.service_map == {str(grofvuil.pk): "GV-01"}
    # A code the system does not offer is refused.
    client.post(
        reverse("patrols:portal_handoff_services_map", kwargs=kwargs),
        {f"service-{grofvuil.pk}": "XX-00"},
    )
    channel.refresh_from_db()
    assert channel.service_map == {str(grofvuil.pk): "GV-01"}


def test_another_tenants_channel_is_a_404(client, world, other_world, team, system, unscoped):
    channel = _connect(world, system)
    client.force_login(other_world.users[Role.CLIENT_STAFF])
    kwargs = {"org": other_world.client.slug, "channel_pk": channel.pk}
    for name in ("patrols:portal_handoff_services_fetch", "patrols:portal_handoff_services_map"):
        assert client.post(reverse(name, kwargs=kwargs)).status_code == 404
    # And through our client's URL, the other tenant's staff get no further than a 404/403.
    kwargs = {"org": world.client.slug, "channel_pk": channel.pk}
    for name in ("patrols:portal_handoff_services_fetch", "patrols:portal_handoff_services_map"):
        assert client.post(reverse(name, kwargs=kwargs)).status_code in (403, 404)
    assert len([g for g in system.gets if "services.json" in g]) == 1


def test_a_wrong_address_says_what_the_system_answered(world, team, system):
    staff = world.users[Role.CLIENT_STAFF]
    channel, _ = handoff_service.handoff_channel_create(
        actor=staff,
        organisation=world.client,
        kind=HandoffChannel.Kind.OPEN311,
        name="Meldingen",
        target=system.base + "/verkeerd",
        api_key=API_KEY,
    )
    with pytest.raises(ValidationError) as refused:
        open311_service.open311_services_fetch(actor=staff, channel=channel)
    assert refused.value.messages == [
        "De lijst met diensten kon niet worden opgehaald: je systeem antwoordde met "
        "foutcode 404. Het zegt: “not found”"
    ]


def test_more_open_requests_than_a_run_reads_take_turns(
    world, team, system, monkeypatch, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    grofvuil = _grofvuil(categories)
    channel = _connect(world, system, map_to={grofvuil: "GV-01"})
    _route(world, channel, programme)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            _report(programme, member, grofvuil, description=f"Matras {n}")
    monkeypatch.setattr(open311_service, "POLL_MAX", 2)

    def asked():
        polls = [g for g in system.gets if g.startswith("/open311/v2/requests.json")]
        system.gets.clear()
        return polls[-1].split("=", 1)[1].replace("%2C", ",")

    open311_service.open311_poll(channel_id=channel.pk)
    assert asked() == "SR-1001,SR-1002"
    open311_service.open311_poll(channel_id=channel.pk)
    assert asked() == "SR-1003,SR-1001"
    open311_service.open311_poll(channel_id=channel.pk)
    assert asked() == "SR-1002,SR-1003"
