"""Hand-off of signals to the client's own system: routing, the mail desk, the signed webhook
(received by a real HTTP server on loopback), retries, permanent failure and the sweep."""

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from patrols import services as patrols
from patrols.handoff import secrets
from patrols.models_handoff import Handoff, HandoffAttempt, HandoffChannel
from patrols.services import handoff as handoff_service
from patrols.workflow import Status
from programmes.models import AuditEntry, Notification, OutboxMessage
from programmes.permissions import Role

from .handoff_receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_targets(settings):
    """The tests' receiver listens on loopback over http."""
    settings.HANDOFF_ALLOW_LOCAL_TARGETS = True


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def _report(programme, member, category, **extra):
    signal, _created = patrols.signal_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=category,
        description=extra.pop("description", "Grofvuil naast de container"),
        reported_at=timezone.now(),
        street="Lindelaan",
        house_number="12",
        **extra,
    )
    return signal


def _channel(world, kind, target, name=None):
    return handoff_service.handoff_channel_create(
        actor=world.users[Role.CLIENT_STAFF],
        organisation=world.client,
        kind=kind,
        name=name or kind,
        target=target,
    )


def _route(world, channel, programme, category=None, assign_to=None):
    return handoff_service.category_route_create(
        actor=world.users[Role.CLIENT_STAFF],
        channel=channel,
        programme=programme,
        category=category,
        assign_to=assign_to,
    )


def test_routing_makes_one_handoff_per_signal_and_channel(
    world, team, receiver, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    category = categories[0]
    desk, _ = _channel(world, HandoffChannel.Kind.MAIL_DESK, "meldingen@gemeente.example")
    hook, _ = _channel(world, HandoffChannel.Kind.WEBHOOK, receiver.url)
    other, _ = _channel(world, HandoffChannel.Kind.MAIL_DESK, "ander@gemeente.example", "x")
    _route(world, desk, programme, category)
    _route(world, desk, programme)  # the programme-wide route to the same channel: still one
    _route(world, hook, programme)
    _route(world, other, programme, categories[1])  # another category: not this signal
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, category)
    assert sorted(h.channel_id for h in Handoff.objects.filter(signal=signal)) == sorted(
        [desk.pk, hook.pk]
    )
    # Planning again (a forward, a resend) adds nothing, and nothing is sent again.
    with django_capture_on_commit_callbacks(execute=True):
        assert handoff_service.handoffs_plan(signal=signal) == []
        patrols.signal_transition(
            actor=world.users[Role.CLIENT_STAFF], signal=signal, status=Status.FORWARDED
        )
    assert Handoff.objects.filter(signal=signal).count() == 2
    assert OutboxMessage.objects.filter(to_email="meldingen@gemeente.example").count() == 1
    assert len(receiver.received) == 1
    assert set(Handoff.objects.filter(signal=signal).values_list("state", flat=True)) == {
        Handoff.State.DELIVERED
    }


def test_an_unrouted_signal_stays_in_the_portal(world, team, django_capture_on_commit_callbacks):
    programme, member, categories = team
    desk, _ = _channel(world, HandoffChannel.Kind.MAIL_DESK, "meldingen@gemeente.example")
    _route(world, desk, programme, categories[1])
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, categories[0])
    assert not Handoff.objects.filter(signal=signal).exists()


def test_a_switched_off_channel_gets_nothing(world, team, django_capture_on_commit_callbacks):
    programme, member, categories = team
    desk, _ = _channel(world, HandoffChannel.Kind.MAIL_DESK, "meldingen@gemeente.example")
    _route(world, desk, programme)
    handoff_service.handoff_channel_set_active(
        actor=world.users[Role.CLIENT_STAFF], channel=desk, active=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, categories[0])
    assert not Handoff.objects.filter(signal=signal).exists()


def test_a_route_assigns_the_signal_to_the_colleague(
    world, team, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    staff = world.users[Role.CLIENT_STAFF]
    desk, _ = _channel(world, HandoffChannel.Kind.MAIL_DESK, "meldingen@gemeente.example")
    _route(world, desk, programme, categories[0], assign_to=staff)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, categories[0])
    signal.refresh_from_db()
    assert signal.assigned_to == staff
    assert signal.status == Status.NEW


def test_mail_desk_queues_one_outbox_mail_with_the_reference(
    world, team, mailoutbox, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    desk, secret = _channel(world, HandoffChannel.Kind.MAIL_DESK, "meldingen@gemeente.example")
    assert secret == "" and desk.secret_encrypted == ""
    _route(world, desk, programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, categories[0], urgent=True)
    handoff = Handoff.objects.get(signal=signal)
    assert handoff.state == Handoff.State.DELIVERED
    assert handoff.external_ref == f"BT-{signal.pk}"
    (message,) = OutboxMessage.objects.filter(ref=f"handoff:{handoff.uuid}")
    assert message.to_email == "meldingen@gemeente.example"
    assert f"[BT-{signal.pk}]" in message.subject
    assert "Lindelaan 12" in message.body_text
    assert "Grofvuil naast de container" in message.body_text
    assert f"/portal/{world.client.slug}/signals/{signal.pk}/" in message.body_text
    (sent,) = [m for m in mailoutbox if "meldingen@gemeente.example" in m.to[0]]
    assert f"BT-{signal.pk}" in sent.subject
    # Tried again (a task delivered twice, the sweep): no second mail.
    Handoff.objects.filter(pk=handoff.pk).update(state=Handoff.State.WAITING)
    with django_capture_on_commit_callbacks(execute=True):
        handoff_service.handoff_deliver(handoff_id=handoff.pk)
    assert OutboxMessage.objects.filter(ref=f"handoff:{handoff.uuid}").count() == 1
    assert AuditEntry.objects.filter(action="handoff.delivered", object_id=str(signal.pk)).exists()


def test_webhook_is_received_signed(world, team, receiver, django_capture_on_commit_callbacks):
    programme, member, categories = team
    hook, secret = _channel(world, HandoffChannel.Kind.WEBHOOK, receiver.url)
    assert len(secret) >= 40
    # Stored encrypted: the secret is not in the row, and decrypts to what was shown.
    assert secret not in hook.secret_encrypted
    assert secrets.decrypt(hook.secret_encrypted) == secret
    _route(world, hook, programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, categories[0])
    (got,) = receiver.received
    assert got.path == "/hooks/bewonersteam?src=bt"
    timestamp = got.headers["X-BewonersTeam-Timestamp"]
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    assert got.headers["X-BewonersTeam-Signature"] == secrets.sign(secret, timestamp, got.body)
    handoff = Handoff.objects.get(signal=signal)
    assert got.headers["X-BewonersTeam-Delivery"] == str(handoff.uuid)
    payload = json.loads(got.body)
    assert payload["signal"] == signal.pk
    assert payload["reference"] == f"BT-{signal.pk}"
    assert payload["status"] == "new"
    assert payload["description"] == "Grofvuil naast de container"
    assert payload["location"]["street"] == "Lindelaan"
    assert payload["portal_url"].endswith(f"/portal/{world.client.slug}/signals/{signal.pk}/")
    assert handoff.state == Handoff.State.DELIVERED
    assert handoff.external_ref == "ZAAK-77"  # the receiver's own id
    (attempt,) = HandoffAttempt.objects.filter(handoff=handoff)
    assert (attempt.outcome, attempt.status_code, attempt.number) == ("delivered", 200, 1)


def test_webhook_retries_on_500_then_delivers(
    world, team, receiver, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    receiver.answers = [500, 503, 200]
    hook, _ = _channel(world, HandoffChannel.Kind.WEBHOOK, receiver.url)
    _route(world, hook, programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, categories[0])
    handoff = Handoff.objects.get(signal=signal)
    assert handoff.state == Handoff.State.WAITING
    assert handoff.attempts == 1
    first_wait = handoff.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=20) < first_wait <= dt.timedelta(seconds=30)
    # Not due yet: a task that comes early does nothing.
    assert handoff_service.handoff_deliver(handoff_id=handoff.pk) == "skipped"
    for expected_attempts, state in ((2, Handoff.State.WAITING), (3, Handoff.State.DELIVERED)):
        later = handoff.next_attempt_at + dt.timedelta(seconds=1)
        with django_capture_on_commit_callbacks(execute=True):
            handoff_service.handoff_deliver(handoff_id=handoff.pk, now=later)
        handoff.refresh_from_db()
        assert (handoff.attempts, handoff.state) == (expected_attempts, state)
    assert [a.outcome for a in handoff.log.all()] == ["retry", "retry", "delivered"]
    assert [a.status_code for a in handoff.log.all()] == [500, 503, 200]
    assert len(receiver.received) == 3
    # Every try carries the same delivery id, so the receiver can tell a resend.
    assert len({r.headers["X-BewonersTeam-Delivery"] for r in receiver.received}) == 1


def test_webhook_400_fails_for_good_and_the_signal_stays_in_the_portal(
    world, team, receiver, mailoutbox, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    receiver.answers = [400]
    hook, _ = _channel(world, HandoffChannel.Kind.WEBHOOK, receiver.url)
    _route(world, hook, programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, categories[0])
    handoff = Handoff.objects.get(signal=signal)
    assert handoff.state == Handoff.State.FAILED
    assert handoff.attempts == 1
    assert "400" in handoff.last_error
    signal.refresh_from_db()
    assert signal.status == Status.NEW  # still followed up in the portal
    entry = AuditEntry.objects.get(action="handoff.failed", object_id=str(signal.pk))
    assert entry.data["channel"] == hook.name
    # The client's staff are told, in the app and by mail.
    (note,) = Notification.objects.filter(kind="patrols.handoff_failed")
    assert note.recipient == world.users[Role.CLIENT_STAFF]
    assert hook.name in note.title and "400" in note.body
    assert note.url.endswith(f"/signals/{signal.pk}/")
    assert any(world.users[Role.CLIENT_STAFF].email in m.to[0] for m in mailoutbox)
    # Nothing queued again, by task or sweep.
    later = timezone.now() + dt.timedelta(hours=2)
    assert handoff_service.handoff_deliver(handoff_id=handoff.pk, now=later) == "skipped"
    assert handoff_service.handoff_requeue_stale(now=later) == 0
    assert len(receiver.received) == 1


def test_a_failed_handoff_can_be_sent_again_once_fixed(
    world, team, receiver, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    receiver.answers = [400, 200]
    hook, _ = _channel(world, HandoffChannel.Kind.WEBHOOK, receiver.url)
    _route(world, hook, programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, categories[0])
    handoff = Handoff.objects.get(signal=signal)
    assert handoff.state == Handoff.State.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        handoff_service.handoff_retry(actor=world.users[Role.CLIENT_STAFF], handoff=handoff)
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.DELIVERED
    assert len(receiver.received) == 2
    assert AuditEntry.objects.filter(action="handoff.retried", object_id=str(signal.pk)).exists()
    # A delivered one is not sent again.
    with django_capture_on_commit_callbacks(execute=True):
        handoff_service.handoff_retry(actor=world.users[Role.CLIENT_STAFF], handoff=handoff)
    assert len(receiver.received) == 2


@pytest.mark.parametrize(
    ("status", "result"), [(408, "waiting"), (429, "waiting"), (302, "failed")]
)
def test_webhook_answers_that_say_later_or_never(
    world, team, receiver, django_capture_on_commit_callbacks, status, result
):
    programme, member, categories = team
    receiver.answers = [status]
    hook, _ = _channel(world, HandoffChannel.Kind.WEBHOOK, receiver.url)
    _route(world, hook, programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, categories[0])
    assert Handoff.objects.get(signal=signal).state == result
    assert len(receiver.received) == 1  # a redirect is not followed


def test_unreachable_webhook_retries_and_fails_after_its_attempts(
    world, team, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    dead = Receiver().start()
    url = dead.url
    dead.stop()  # nobody listens there any more: connection refused
    hook, _ = _channel(world, HandoffChannel.Kind.WEBHOOK, url)
    _route(world, hook, programme)
    with django_capture_on_commit_callbacks(execute=True):
        signal = _report(programme, member, categories[0])
    handoff = Handoff.objects.get(signal=signal)
    while handoff.state == Handoff.State.WAITING:
        with django_capture_on_commit_callbacks(execute=True):
            handoff_service.handoff_deliver(
                handoff_id=handoff.pk, now=handoff.next_attempt_at + dt.timedelta(seconds=1)
            )
        handoff.refresh_from_db()
    assert handoff.state == Handoff.State.FAILED
    assert handoff.attempts == handoff_service.MAX_ATTEMPTS
    assert AuditEntry.objects.filter(action="handoff.failed").count() == 1


def test_sweep_hands_back_a_dead_workers_claim(world, team, receiver):
    programme, member, categories = team
    hook, _ = _channel(world, HandoffChannel.Kind.WEBHOOK, receiver.url)
    _route(world, hook, programme)
    signal = _report(programme, member, categories[0])  # its task never ran (no commit)
    handoff = Handoff.objects.get(signal=signal)
    claimed = handoff_service.handoff_claim(handoff_id=handoff.pk)
    assert claimed.state == Handoff.State.SENDING
    # Claimed: another task leaves it alone.
    assert handoff_service.handoff_deliver(handoff_id=handoff.pk) == "skipped"
    # The worker died; after STALE_AFTER the sweep hands it back and queues it (eager: sent).
    later = timezone.now() + handoff_service.STALE_AFTER + dt.timedelta(minutes=1)
    assert handoff_service.handoff_requeue_stale(now=later) == 1
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.DELIVERED
    assert handoff.attempts == 2
    assert len(receiver.received) == 1


def test_channel_addresses_are_checked(world, settings):
    settings.HANDOFF_ALLOW_LOCAL_TARGETS = False
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        _channel(world, HandoffChannel.Kind.WEBHOOK, "http://example.org/hook")
    assert "target" in error.value.message_dict
    with pytest.raises(ValidationError):
        _channel(world, HandoffChannel.Kind.MAIL_DESK, "not an address")
    with pytest.raises(ValidationError):
        _channel(world, HandoffChannel.Kind.WEBHOOK, "https://user:pw@example.org/hook")


def test_a_webhook_to_a_private_address_is_refused(world, team, receiver, settings):
    programme, member, categories = team
    hook, _ = _channel(world, HandoffChannel.Kind.WEBHOOK, receiver.url)
    _route(world, hook, programme)
    settings.HANDOFF_ALLOW_LOCAL_TARGETS = False
    signal = _report(programme, member, categories[0])
    handoff = Handoff.objects.get(signal=signal)
    assert handoff_service.handoff_deliver(handoff_id=handoff.pk) == Handoff.State.FAILED
    assert receiver.received == []
