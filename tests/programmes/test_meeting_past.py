"""Planning a meeting with a start in the past: a clear Dutch warning and a confirmation box;
a past date can be right (recorded afterwards), so it is not refused once confirmed."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from programmes import services
from programmes.models import Meeting
from programmes.permissions import Role

CONFIRM = "Ja, deze datum ligt in het verleden"


def _url(name, programme, **kwargs):
    return reverse(
        name, kwargs={"org": programme.organisation.slug, "programme_pk": programme.pk, **kwargs}
    )


def _data(start, kind="team", **extra):
    local = timezone.localtime(start)
    return {
        "kind": kind,
        "title": "Bijeenkomst",
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (local + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "location": "Buurthuis",
        "capacity": "",
        "description": "",
        **extra,
    }


def test_a_past_start_asks_for_confirmation(client, world, programme, unscoped):
    client.force_login(world.users[Role.PROJECT_LEADER])
    yesterday = timezone.now() - dt.timedelta(days=1)
    form = client.get(_url("meeting_create", programme)).content.decode()
    assert CONFIRM not in form
    response = client.post(_url("meeting_create", programme), _data(yesterday))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Deze datum ligt in het verleden." in page and CONFIRM in page
    assert 'value="Buurthuis"' in page  # nothing typed is lost
    assert not Meeting.objects.filter(programme=programme).exists()

    confirmed = client.post(_url("meeting_create", programme), _data(yesterday, confirm_past="on"))
    assert confirmed.status_code == 302
    assert Meeting.objects.filter(programme=programme).count() == 1


def test_a_training_in_the_past_gets_its_own_warning(client, world, programme, unscoped):
    client.force_login(world.users[Role.PROJECT_LEADER])
    response = client.post(
        _url("meeting_create", programme),
        _data(timezone.now() - dt.timedelta(hours=2), kind="workshop"),
    )
    page = response.content.decode()
    assert "Deze training begint in het verleden" in page and CONFIRM in page
    assert not Meeting.objects.exists()


def test_a_future_start_needs_no_confirmation(client, world, programme, unscoped):
    client.force_login(world.users[Role.PROJECT_LEADER])
    response = client.post(
        _url("meeting_create", programme), _data(timezone.now() + dt.timedelta(days=7))
    )
    assert response.status_code == 302


def test_editing_an_old_meeting_asks_only_when_the_start_changes(
    client, world, programme, unscoped
):
    start = timezone.now() - dt.timedelta(days=10)
    meeting = services.meeting_create(
        actor=None,
        programme=programme,
        kind="team",
        title="Bijeenkomst",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        location="Buurthuis",
    )
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = _url("meeting_update", programme, meeting_pk=meeting.pk)
    same = _data(start, title="Teamoverleg achteraf")
    assert client.post(url, same).status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Teamoverleg achteraf"
    moved = _data(start - dt.timedelta(days=1))
    assert CONFIRM in client.post(url, moved).content.decode()
    assert client.post(url, {**moved, "confirm_past": "on"}).status_code == 302


def test_a_training_track_in_the_past_asks_for_confirmation(client, world, programme, unscoped):
    from trainings.models import Training

    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "trainings:programme_trainings",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    past = timezone.localtime() - dt.timedelta(days=2)
    future = timezone.localtime() + dt.timedelta(days=14)
    data = {
        "action": "track",
        "introduction": past.strftime("%Y-%m-%dT19:00"),
        "workshop": future.strftime("%Y-%m-%dT19:00"),
        "instruction": (future + dt.timedelta(days=7)).strftime("%Y-%m-%dT19:00"),
        "location": "Buurthuis",
        "trainer": "",
    }
    page = client.post(url, data).content.decode()
    assert "Deze training begint in het verleden" in page and CONFIRM in page
    assert not Training.objects.filter(programme=programme).exists()
    assert client.post(url, {**data, "confirm_past": "on"}).status_code == 302
    assert Training.objects.filter(programme=programme).count() == 3
