"""Status coming back from the client's own system: signed per channel, refused when the
signature is wrong, old or replayed, and for a signal that is not the channel's (404)."""

import json
import time
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from patrols import services as patrols
from patrols.handoff import secrets
from patrols.models import SignalEvent
from patrols.models_handoff import Handoff, HandoffChannel
from patrols.services import handoff as handoff_service
from patrols.workflow import Status
from programmes.models import AuditEntry
from programmes.permissions import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def handed(world, team):
    """(channel, secret, signal): a signal of `team` handed to a webhook channel."""
    programme, member, categories = team
    channel, secret = handoff_service.handoff_channel_create(
        actor=world.users[Role.CLIENT_STAFF],
        organisation=world.client,
        kind=HandoffChannel.Kind.WEBHOOK,
        name="Zaaksysteem",
        target="https://zaken.example.org/hook",
    )
    handoff_service.category_route_create(
        actor=world.users[Role.CLIENT_STAFF], channel=channel, programme=programme
    )
    signal, _ = patrols.signal_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=categories[0],
        description="Kapotte lantaarn",
        reported_at=timezone.now(),
    )
    assert Handoff.objects.filter(signal=signal, channel=channel).exists()
    return channel, secret, signal


def _post(client, org, channel, body, *, secret, timestamp=None, signature=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    signature = secrets.sign(secret, timestamp, raw) if signature is None else signature
    return client.post(
        reverse("patrols:handoff_inbound", kwargs={"org": org.slug, "channel_pk": channel.pk}),
        data=raw,
        content_type="application/json",
        headers={"X-BewonersTeam-Timestamp": timestamp, "X-BewonersTeam-Signature": signature},
    )


def test_a_signed_status_moves_the_signal_with_the_note(client, world, handed):
    channel, secret, signal = handed
    response = _post(
        client,
        world.client,
        channel,
        {"reference": f"BT-{signal.pk}", "status": "in_progress", "note": "Monteur ingepland"},
        secret=secret,
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"signal": signal.pk, "status": "in_progress"}
    response = _post(
        client,
        world.client,
        channel,
        {"signal": signal.pk, "status": "resolved", "note": "Lamp vervangen"},
        secret=secret,
    )
    assert response.status_code == 200
    signal.refresh_from_db()
    assert signal.status == Status.RESOLVED
    assert signal.closed_at is not None
    last = SignalEvent.objects.filter(signal=signal).order_by("-created_at", "-id").first()
    assert (last.to_status, last.text) == (Status.RESOLVED, "Lamp vervangen")
    entries = AuditEntry.objects.filter(action="handoff.status_received", object_id=str(signal.pk))
    assert [e.data["remote_status"] for e in entries.order_by("id")] == ["in_progress", "resolved"]
    assert AuditEntry.objects.filter(action="signal.resolved", object_id=str(signal.pk)).exists()


def test_a_channels_own_mapping_and_the_same_status_again(client, world, handed):
    channel, secret, signal = handed
    handoff_service.handoff_channel_map_statuses(
        actor=world.users[Role.CLIENT_STAFF],
        channel=channel,
        mapping={"resolved": ["Gereed", "klaar "], "in_progress": ["Bezig"]},
    )
    channel.refresh_from_db()
    assert channel.status_map == {"gereed": "resolved", "klaar": "resolved", "bezig": "in_progress"}
    response = _post(
        client, world.client, channel, {"signal": signal.pk, "status": "gereed"}, secret=secret
    )
    assert response.status_code == 200
    signal.refresh_from_db()
    assert signal.status == Status.RESOLVED
    # A closing without a note gets one that says where it came from.
    assert "Zaaksysteem" in SignalEvent.objects.filter(signal=signal).last().text
    again = _post(
        client, world.client, channel, {"signal": signal.pk, "status": "closed"}, secret=secret
    )
    assert again.status_code == 200
    assert SignalEvent.objects.filter(signal=signal, to_status=Status.RESOLVED).count() == 1


def test_a_wrong_signature_is_refused(client, world, handed):
    channel, secret, signal = handed
    body = {"signal": signal.pk, "status": "resolved", "note": "x"}
    response = _post(client, world.client, channel, body, secret="not-the-secret")
    assert response.status_code == 401
    response = _post(client, world.client, channel, body, secret=secret, signature="")
    assert response.status_code == 401
    signal.refresh_from_db()
    assert signal.status == Status.NEW


def test_an_old_timestamp_is_refused(client, world, handed):
    channel, secret, signal = handed
    old = str(int(time.time()) - 6 * 60)
    body = {"signal": signal.pk, "status": "resolved", "note": "x"}
    assert (
        _post(client, world.client, channel, body, secret=secret, timestamp=old).status_code == 401
    )
    future = str(int(time.time()) + 6 * 60)
    assert (
        _post(client, world.client, channel, body, secret=secret, timestamp=future).status_code
        == 401
    )
    assert (
        _post(client, world.client, channel, body, secret=secret, timestamp="abc").status_code
        == 401
    )


def test_a_replayed_signature_is_refused(client, world, handed):
    channel, secret, signal = handed
    raw = json.dumps({"signal": signal.pk, "status": "in_progress"}).encode()
    timestamp = str(int(time.time()))
    signature = secrets.sign(secret, timestamp, raw)
    first = _post(
        client, world.client, channel, raw, secret=secret, timestamp=timestamp, signature=signature
    )
    assert first.status_code == 200
    again = _post(
        client, world.client, channel, raw, secret=secret, timestamp=timestamp, signature=signature
    )
    assert again.status_code == 409
    assert SignalEvent.objects.filter(signal=signal, to_status=Status.IN_PROGRESS).count() == 1


def test_another_tenants_signal_or_channel_is_not_found(client, world, other_world, handed):
    channel, secret, signal = handed
    body = {"signal": signal.pk, "status": "resolved", "note": "x"}
    # The same channel under another organisation's address: not there.
    assert _post(client, other_world.client, channel, body, secret=secret).status_code == 404
    assert _post(client, world.other_client, channel, body, secret=secret).status_code == 404
    # A signal that was not handed to this channel (nor exists): 404 as well.
    for pk in (signal.pk + 1000, 0):
        response = _post(
            client, world.client, channel, {"signal": pk, "status": "resolved"}, secret=secret
        )
        assert response.status_code == 404
    signal.refresh_from_db()
    assert signal.status == Status.NEW


def test_a_signal_not_handed_to_the_channel_is_not_found(client, world, handed, team):
    channel, secret, signal = handed
    programme, member, categories = team
    staff = world.users[Role.CLIENT_STAFF]
    for route in channel.routes.all():
        handoff_service.category_route_delete(actor=staff, route=route)
    unrouted, _ = patrols.signal_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=categories[0],
        description="Niet doorgestuurd",
        reported_at=timezone.now(),
    )
    body = {"signal": unrouted.pk, "status": "resolved", "note": "x"}
    assert _post(client, world.client, channel, body, secret=secret).status_code == 404
    # A switched-off channel speaks for nothing, not even its own signals.
    handoff_service.handoff_channel_set_active(actor=staff, channel=channel, active=False)
    body = {"signal": signal.pk, "status": "resolved", "note": "x"}
    assert _post(client, world.client, channel, body, secret=secret).status_code == 404


def test_bad_messages_get_a_clear_400(client, world, handed):
    channel, secret, signal = handed
    response = _post(client, world.client, channel, b"{not json", secret=secret)
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]
    response = _post(client, world.client, channel, b"[1, 2]", secret=secret)
    assert response.status_code == 400
    response = _post(
        client, world.client, channel, {"signal": signal.pk, "status": "teleported"}, secret=secret
    )
    assert response.status_code == 400
    assert response.json()["status"] == "teleported"
    big = json.dumps({"signal": signal.pk, "status": "resolved", "note": "x" * 40_000}).encode()
    assert _post(client, world.client, channel, big, secret=secret).status_code == 413


def test_a_move_the_workflow_does_not_allow_is_a_409(client, world, handed):
    channel, secret, signal = handed
    patrols.signal_transition(
        actor=world.users[Role.CLIENT_STAFF], signal=signal, status=Status.RESOLVED, text="Klaar"
    )
    response = _post(
        client, world.client, channel, {"signal": signal.pk, "status": "forwarded"}, secret=secret
    )
    assert response.status_code == 409
    assert response.json()["error"]


def test_a_status_of_theirs_means_one_of_ours(world, handed):
    channel, _secret, _signal = handed
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        handoff_service.handoff_channel_map_statuses(
            actor=world.users[Role.CLIENT_STAFF],
            channel=channel,
            mapping={"resolved": ["klaar"], "not_applicable": ["Klaar"]},
        )
    with pytest.raises(ValidationError):
        handoff_service.handoff_channel_map_statuses(
            actor=world.users[Role.CLIENT_STAFF], channel=channel, mapping={"new": ["nieuw"]}
        )
