"""The hand-off's health for the project leader: delivered / failing / waiting per channel of
a programme (one grouped query), the signals open past their handling time, the leader told
once a day when a client's channel keeps failing, and the set-up's own permission."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patrols.handoff.notify import HANDOFF_CHANNEL_FAILING
from patrols.models import Signal
from patrols.models_handoff import Handoff, HandoffChannel
from patrols.selectors.handoff_health import handoff_health
from patrols.workflow import Status
from programmes.models import Notification
from programmes.permissions import ROLE_PERMISSIONS, Perm, Role, roles_with

from .handoff_receiver import Receiver
from .test_handoff import _channel, _report, _route

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_targets(settings):
    settings.HANDOFF_ALLOW_LOCAL_TARGETS = True


@pytest.fixture
def receiver():
    server = Receiver(answers=[400]).start()
    yield server
    server.stop()


def _signals(programme, member, category, n, capture):
    with capture(execute=True):
        return [_report(programme, member, category) for _ in range(n)]


def test_handoff_settings_have_their_own_permission():
    """The client's staff (no admin rank among them) and the consultancy admin set up the
    hand-off; the project leader only sees its health."""
    assert set(roles_with(Perm.HANDOFF_MANAGE)) == {Role.CONSULTANCY_ADMIN, Role.CLIENT_STAFF}
    assert Perm.HANDOFF_MANAGE not in ROLE_PERMISSIONS[Role.PROJECT_LEADER]


def test_health_counts_per_channel_in_one_query(
    world, team, receiver, django_capture_on_commit_callbacks, django_assert_num_queries
):
    programme, member, categories = team
    one = categories[0]
    # Two categories apart (a route of a main category takes its subcategories too).
    two = next(c for c in categories if one.pk not in (c.pk, c.parent_id) and c.pk != one.parent_id)
    desk, _ = _channel(world, HandoffChannel.Kind.MAIL_DESK, "meldingen@gemeente.example")
    hook, _ = _channel(world, HandoffChannel.Kind.WEBHOOK, receiver.url)
    _route(world, desk, programme, one)
    _route(world, hook, programme, two)
    _signals(programme, member, one, 3, django_capture_on_commit_callbacks)
    _signals(programme, member, two, 2, django_capture_on_commit_callbacks)
    # A hand-off not sent yet waits.
    with django_capture_on_commit_callbacks(execute=False):
        _report(programme, member, two)

    with django_assert_num_queries(2):  # the grouped counts and the overdue count
        health = handoff_health(programme=programme)
    assert (health.delivered, health.failing, health.waiting) == (3, 2, 1)
    assert health.total == 6
    by_name = {c.name: c for c in health.channels}
    assert (by_name[desk.name].delivered, by_name[desk.name].failing) == (3, 0)
    assert (by_name[hook.name].failing, by_name[hook.name].waiting) == (2, 1)
    assert health.overdue_count == 0 and health.overdue == []


def test_overdue_signals_are_the_open_ones_past_their_date(world, team, other_world):
    programme, member, categories = team
    late, closed, fresh = (_report(programme, member, categories[0]) for _ in range(3))
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Signal.objects.filter(pk__in=[late.pk, closed.pk]).update(due_date=yesterday)
    Signal.objects.filter(pk=closed.pk).update(status=Status.RESOLVED)
    health = handoff_health(programme=programme)
    assert health.overdue_count == 1
    assert [s.pk for s in health.overdue] == [late.pk]
    assert fresh.pk not in [s.pk for s in health.overdue]


def test_the_programme_tab_shows_the_health_to_the_project_leader(
    world, team, receiver, login, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    hook, _ = _channel(world, HandoffChannel.Kind.WEBHOOK, receiver.url, name="Zaaksysteem")
    _route(world, hook, programme)
    (signal,) = _signals(programme, member, categories[0], 1, django_capture_on_commit_callbacks)
    Signal.objects.filter(pk=signal.pk).update(due_date=timezone.localdate() - dt.timedelta(3))
    client = login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "patrols:programme_handoff", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Zaaksysteem" in html
    assert "data-failing>1<" in html and "data-delivered>0<" in html
    assert "data-overdue-count>1<" in html
    assert (
        reverse("patrols:portal_signal", kwargs={"org": world.client.slug, "signal_pk": signal.pk})
        in html
    )
    # The tab is on the programme's pages.
    assert (
        url
        in client.get(
            reverse(
                "patrols:programme_categories",
                kwargs={"org": world.client.slug, "programme_pk": programme.pk},
            )
        ).content.decode()
    )


def test_a_project_leader_of_another_client_gets_a_404(world, team, other_world, login):
    programme, _member, _categories = team
    client = login(other_world.users[Role.PROJECT_LEADER])
    url = reverse(
        "patrols:programme_handoff", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    assert client.get(url).status_code == 404


def test_the_leader_hears_once_a_day_when_a_channel_keeps_failing(
    world, team, receiver, django_capture_on_commit_callbacks
):
    programme, member, categories = team
    hook, _ = _channel(world, HandoffChannel.Kind.WEBHOOK, receiver.url, name="Zaaksysteem")
    _route(world, hook, programme)
    leader = world.users[Role.PROJECT_LEADER]
    _signals(programme, member, categories[0], 2, django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(kind=HANDOFF_CHANNEL_FAILING).exists()

    _signals(programme, member, categories[0], 1, django_capture_on_commit_callbacks)
    (note,) = Notification.objects.filter(kind=HANDOFF_CHANNEL_FAILING)
    assert note.recipient == leader
    assert "Zaaksysteem" in note.title and world.client.name in note.title
    assert "400" in note.body
    assert note.url == reverse(
        "patrols:programme_handoff", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    # The client's staff are not told this one (they hear of each failure already).
    assert not Notification.objects.filter(
        kind=HANDOFF_CHANNEL_FAILING, recipient=world.users[Role.CLIENT_STAFF]
    ).exists()

    # More failures the same day: told once.
    _signals(programme, member, categories[0], 2, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(kind=HANDOFF_CHANNEL_FAILING).count() == 1
    assert Handoff.objects.filter(channel=hook, state=Handoff.State.FAILED).count() == 5


def test_a_delivery_breaks_the_streak(world, team, receiver, django_capture_on_commit_callbacks):
    programme, member, categories = team
    hook, _ = _channel(world, HandoffChannel.Kind.WEBHOOK, receiver.url)
    _route(world, hook, programme)
    receiver.answers = [400, 400, 200, 400, 400]
    _signals(programme, member, categories[0], 5, django_capture_on_commit_callbacks)
    assert Handoff.objects.filter(channel=hook, state=Handoff.State.DELIVERED).count() == 1
    assert not Notification.objects.filter(kind=HANDOFF_CHANNEL_FAILING).exists()


def test_a_channel_that_is_down_tells_the_leader_before_the_retries_run_out(
    world, team, receiver, django_capture_on_commit_callbacks
):
    """A channel that answers 503 to each hand-off in turn: they wait for their next try,
    and the third in a row tells the leader, without waiting hours for them to fail for good."""
    programme, member, categories = team
    receiver.answers = [503]
    hook, _ = _channel(world, HandoffChannel.Kind.WEBHOOK, receiver.url)
    _route(world, hook, programme)
    _signals(programme, member, categories[0], 2, django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(kind=HANDOFF_CHANNEL_FAILING).exists()
    _signals(programme, member, categories[0], 1, django_capture_on_commit_callbacks)
    assert set(Handoff.objects.filter(channel=hook).values_list("state", flat=True)) == {
        Handoff.State.WAITING
    }
    (note,) = Notification.objects.filter(kind=HANDOFF_CHANNEL_FAILING)
    assert note.recipient == world.users[Role.PROJECT_LEADER]
    assert "503" in note.body


def test_the_tab_asks_as_many_queries_for_many_overdue_signals_as_for_few(world, team, login):
    """The overdue list reads its categories (and their main categories) with the signals."""
    programme, member, categories = team
    sub = next(c for c in categories if c.parent_id)
    client = login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "patrols:programme_handoff", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    client.get(url)  # the session's and the caches' first reads
    counts = []
    for more in (1, 11):
        signals = [_report(programme, member, sub) for _ in range(more)]
        Signal.objects.filter(pk__in=[s.pk for s in signals]).update(
            due_date=timezone.localdate() - dt.timedelta(days=2)
        )
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.status_code == 200
        assert f"data-overdue-count>{len(counts) and 12 or 1}<" in page.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
