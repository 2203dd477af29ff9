"""The client's follow-up in the portal: list, filters, map data, workflow, photos, counts."""

import datetime as dt
import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patrols import services as patrols
from patrols.models import Signal
from patrols.workflow import Status
from programmes.permissions import Role


def _signals(team, n, **extra):
    programme, member, categories = team
    made = []
    for i in range(n):
        data = dict(
            actor=member,
            programme=programme,
            uuid=uuid.uuid4(),
            category=categories[i % 3],
            description=f"Melding {i}",
            reported_at=timezone.now() - dt.timedelta(hours=i),
            street="Lindelaan",
            latitude=52.09 + i / 10000,
            longitude=5.12,
        )
        data.update(extra)
        made.append(patrols.signal_report(**data)[0])
    return made


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_query_counts_do_not_grow(client, world, team):
    client.force_login(world.users[Role.CLIENT_STAFF])
    urls = [
        reverse("patrols:portal_signals", kwargs={"org": world.client.slug}),
        reverse("patrols:portal_signal_map", kwargs={"org": world.client.slug}),
        reverse("portal_home", kwargs={"org": world.client.slug}),
    ]
    _signals(team, 1)
    small = [_count(client, u) for u in urls]
    _signals(team, 199)
    large = [_count(client, u) for u in urls]
    assert large == small
    assert len(client.get(urls[1]).json()["signals"]) == 200


def test_filters(client, world, team):
    client.force_login(world.users[Role.CLIENT_STAFF])
    first, second = _signals(team, 2)
    patrols.signal_transition(
        actor=world.users[Role.CLIENT_STAFF], signal=first, status=Status.RESOLVED, text="Klaar"
    )
    url = reverse("patrols:portal_signals", kwargs={"org": world.client.slug})
    page = client.get(url, {"status": "open"}).content.decode()
    assert "Melding 1" in page and "Melding 0" not in page
    page = client.get(url, {"status": "resolved"}).content.decode()
    assert "Melding 0" in page and "Melding 1" not in page
    junk = client.get(
        url, {"status": "x", "start": "gisteren", "category": "abc", "programme": "-1"}
    )
    assert junk.status_code == 200 and "Melding 0" in junk.content.decode()


def test_follow_up_by_form(client, world, team):
    staff = world.users[Role.CLIENT_STAFF]
    client.force_login(staff)
    (signal,) = _signals(team, 1)
    url = reverse(
        "patrols:portal_signal", kwargs={"org": world.client.slug, "signal_pk": signal.pk}
    )
    bad = client.post(url, {"status": "resolved", "text": ""})
    assert bad.status_code == 200 and "Zeg wat er gedaan is" in bad.content.decode()
    ok = client.post(url, {"status": "in_progress", "assigned_to": staff.pk, "text": ""})
    assert ok.status_code == 302
    signal.refresh_from_db()
    assert signal.status == Status.IN_PROGRESS and signal.assigned_to == staff
    refused = client.post(url, {"status": "new"})
    assert refused.status_code == 200
    assert "Selecteer een geldige keuze" in refused.content.decode()


def test_project_leader_sees_but_does_not_handle(client, world, team):
    (signal,) = _signals(team, 1)
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "patrols:portal_signal", kwargs={"org": world.client.slug, "signal_pk": signal.pk}
    )
    page = client.get(url)
    assert page.status_code == 200 and "Opvolgen" not in page.content.decode()
    assert client.post(url, {"status": "in_progress"}).status_code == 403


def test_other_tenant_cannot_see_signals(client, world, other_world, team):
    (signal,) = _signals(team, 1)
    client.force_login(other_world.users[Role.CLIENT_STAFF])
    url = reverse(
        "patrols:portal_signal", kwargs={"org": world.client.slug, "signal_pk": signal.pk}
    )
    assert client.get(url).status_code == 404
    own = reverse("patrols:portal_signals", kwargs={"org": other_world.client.slug})
    assert "Melding 0" not in client.get(own).content.decode()
    assert Signal.objects.count() == 1
