"""A webhook hand-off through a real Celery worker and a private Redis, when the worker dies
mid-send: the receiver stalls on the first request, the worker is killed (SIGKILL), the sweep
hands the dead worker's claim back and a new worker delivers. The receiver gets the hand-off at
most twice, each time with the same X-BewonersTeam-Delivery id (so it can deduplicate), and the
hand-off ends delivered, sent by nobody again afterwards."""

import http.server
import select
import socket
import threading
import uuid
from datetime import timedelta

import pytest
from celery import Celery
from django.utils import timezone
from django_scopes import scopes_disabled

from patrols import services as patrols
from patrols.handoff import secrets
from patrols.models_handoff import Handoff, HandoffAttempt, HandoffChannel
from patrols.services import handoff as handoff_service
from programmes.permissions import Role
from tests.programmes.worker_support import (
    new_queue,
    private_redis,  # noqa: F401 - a fixture
    project_env,
    run_django,
    start_worker,
    stop_worker,
    wait_for,
)

SWEEP = """
from datetime import timedelta
from django.utils import timezone
from django_scopes import scopes_disabled
from patrols.services.handoff import handoff_requeue_stale
with scopes_disabled():
    print(handoff_requeue_stale(now=timezone.now() + timedelta(hours=1)))
"""


class StallingReceiver:
    """The client's webhook on loopback: keeps every request it read in full; holds the
    first one unanswered until `release` is set or the sender is gone, answers 200 after."""

    def __init__(self):
        self.held = threading.Event()
        self.release = threading.Event()
        self.deliveries: list[str] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.deliveries.append(self.headers.get(secrets.DELIVERY_HEADER, ""))
                    first = not receiver.held.is_set()
                    receiver.held.set()
                if first:
                    receiver._stall(self.connection)
                    return  # never answered: the sender died waiting
                answer = b'{"id": "ZAAK-9"}'
                assert body  # a signal's payload
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/bewonersteam"

    def _stall(self, sock) -> None:
        while not self.release.is_set():
            readable, _w, _x = select.select([sock], [], [], 0.2)
            if readable:
                try:
                    if sock.recv(1, socket.MSG_PEEK) == b"":
                        return  # the sender is gone
                except OSError:
                    return

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def _state(pk: int) -> str:
    with scopes_disabled():
        return Handoff.objects.get(pk=pk).state


@pytest.mark.worker
def test_worker_killed_mid_webhook_delivers_once_more_with_the_same_delivery_id(
    private_redis,  # noqa: F811
    transactional_db,
    world,
    team,
    settings,
):
    settings.HANDOFF_ALLOW_LOCAL_TARGETS = True  # this process connects the channel
    receiver = StallingReceiver()
    programme, member, categories = team
    staff = world.users[Role.CLIENT_STAFF]
    with scopes_disabled():
        channel, _secret = handoff_service.handoff_channel_create(
            actor=staff,
            organisation=world.client,
            kind=HandoffChannel.Kind.WEBHOOK,
            name="Zaaksysteem",
            target=receiver.url,
        )
        signal, _created = patrols.signal_report(
            actor=member,
            programme=programme,
            uuid=uuid.uuid4(),
            category=categories[0],
            description="Grofvuil naast de container",
            reported_at=timezone.now(),
            street="Lindelaan",
            house_number="12",
        )
        # The hand-off as routing makes it, its task sent to the worker below (this process
        # runs tasks in-process, so it does not plan it through a route).
        handoff = Handoff.objects.create(organisation=world.client, signal=signal, channel=channel)
    queue = new_queue()
    env = project_env(
        private_redis.url,
        queue,
        DJANGO_SETTINGS_MODULE="tests.patrols.worker_handoff_settings",
        DJANGO_SECRET_KEY=settings.SECRET_KEY,  # the channel's secret is encrypted under it
    )
    worker = start_worker(env)
    sender = Celery(broker=private_redis.url, set_as_current=False)
    try:
        sender.send_task(
            "patrols.handoff.tasks.handoff_send",
            kwargs={"handoff_id": handoff.pk, "organisation_id": world.client.pk},
            queue=queue,
        )
        assert receiver.held.wait(timeout=30), stop_worker(worker)
        worker.kill()  # SIGKILL while the receiver holds the request
        worker.wait(timeout=10)
        # The claim stays behind; the hand-off is not lost, nor sent again by itself.
        assert _state(handoff.pk) == Handoff.State.SENDING

        worker = start_worker(env)
        assert run_django(SWEEP, env).stdout.strip() == "1"
        assert wait_for(lambda: _state(handoff.pk) == Handoff.State.DELIVERED, timeout=40), (
            stop_worker(worker)
        )
    finally:
        sender.close()
        stop_worker(worker)
        receiver.close()
    # At most twice, and every time with the hand-off's own delivery id.
    assert 1 <= len(receiver.deliveries) <= 2, receiver.deliveries
    assert set(receiver.deliveries) == {str(handoff.uuid)}
    with scopes_disabled():
        handoff.refresh_from_db()
        assert handoff.attempts == 2
        assert handoff.external_ref == "ZAAK-9"
        # The dead worker's try left no outcome; the second is the delivery.
        assert list(
            HandoffAttempt.objects.filter(handoff=handoff).values_list("outcome", flat=True)
        ) == [HandoffAttempt.Outcome.DELIVERED]
        # Nothing is queued again afterwards.
        assert handoff_service.handoff_requeue_stale(now=timezone.now() + timedelta(hours=1)) == 0
