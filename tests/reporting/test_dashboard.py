"""The dashboard pages: figures shown for the chosen period, the period chooser's bad input
in words (never a 500), who may open which dashboard, and a constant number of queries."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patrols.models import Round, Signal
from programmes import services
from programmes.permissions import Role
from reporting.services.summary import summaries_rebuild

from ..factories import UserFactory

ADMIN, PL, STAFF, MEMBER = (
    Role.CONSULTANCY_ADMIN,
    Role.PROJECT_LEADER,
    Role.CLIENT_STAFF,
    Role.TEAM_MEMBER,
)


def _signals(programme, category, n, *, reported_at):
    Signal.objects.bulk_create(
        Signal(
            organisation=programme.organisation,
            programme=programme,
            category=category,
            uuid=uuid.uuid4(),
            payload_hash="0" * 64,
            reported_at=reported_at,
            created_at=reported_at,
            status="resolved" if i % 2 else "new",
            closed_at=reported_at + dt.timedelta(days=2) if i % 2 else None,
            due_date=timezone.localtime(reported_at).date() + dt.timedelta(days=5),
            latitude=f"52.0{i % 50:04d}",
            longitude=f"4.3{i % 70:04d}",
        )
        for i in range(n)
    )


def _urls(programme):
    org = programme.organisation.slug
    return {
        "client": reverse("reporting:dashboard", kwargs={"org": org}),
        "programme": reverse(
            "reporting:programme_dashboard", kwargs={"org": org, "programme_pk": programme.pk}
        ),
        "workspace": reverse(
            "reporting:workspace_dashboard", kwargs={"org": org, "programme_pk": programme.pk}
        ),
    }


@pytest.fixture
def staff_client(world, login):
    return login(world.users[STAFF])


def test_the_client_sees_the_figures_of_a_chosen_period(world, team, staff_client, unscoped):
    programme, member, categories = team
    _signals(programme, categories[0], 4, reported_at=dt.datetime(2027, 3, 2, 10, tzinfo=dt.UTC))
    r = Round.objects.create(
        organisation=programme.organisation,
        programme=programme,
        uuid=uuid.uuid4(),
        payload_hash="0" * 64,
        started_at=dt.datetime(2027, 3, 3, 18, tzinfo=dt.UTC),
        ended_at=dt.datetime(2027, 3, 3, 19, 30, tzinfo=dt.UTC),
    )
    r.walkers.set([member])
    summaries_rebuild()
    response = staff_client.get(
        _urls(programme)["client"],
        {"period": "custom", "start": "2027-03-01", "end": "2027-03-31", "bucket": "week"},
    )
    assert response.status_code == 200
    f = response.context["figures"]
    assert (f.start, f.end, f.bucket) == (dt.date(2027, 3, 1), dt.date(2027, 4, 1), "week")
    assert f.totals["signals"] == 4 and f.totals["rounds"] == 1
    assert f.handling_total.closed == 2 and f.handling_total.on_time == 2
    html = response.content.decode()
    assert "1 maart 2027 tot en met 31 maart 2027" in html
    assert "<svg" in html and "<script>" not in html
    assert 'id="hotspot-map-config"' in html
    assert "Cijfers van Gemeente noord" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "custom", "start": "2027-03-31", "end": "2027-03-01"}, "ligt vóór"),
        ({"period": "custom", "start": "31-31-2027", "end": "2027-03-01"}, "als datum"),
        ({"period": "custom", "start": "0001-01-01", "end": "2027-03-01"}, "tussen 2000 en 2100"),
        ({"period": "custom", "start": "2020-01-01", "end": "2027-03-01"}, "hoogstens"),
        ({"period": "custom", "start": "2027-03-01"}, "zowel"),
        ({"period": "ever"}, "bestaat niet"),
        ({"bucket": "day"}, "per week of per maand"),
    ],
)
def test_a_bad_period_is_said_in_words(team, staff_client, query, message):
    programme, *_ = team
    response = staff_client.get(_urls(programme)["programme"], query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-period-problems" in html and message in html
    f = response.context["figures"]
    assert f.start == timezone.localdate().replace(day=1)  # this month instead


def test_a_nul_byte_in_the_period_is_no_error_page(team, staff_client):
    programme, *_ = team
    query = {"period": "custom", "start": "2027-03-01\x00", "end": "2027-03-02"}
    assert staff_client.get(_urls(programme)["programme"], query).status_code in (200, 400)


@pytest.mark.parametrize(
    ("role", "expected"),
    [(ADMIN, 200), (PL, 200), (STAFF, 200), (MEMBER, 403)],
)
def test_who_opens_the_portal_dashboards(world, team, client, role, expected, unscoped):
    programme, *_ = team
    user = world.users[role]
    client.force_login(user)
    urls = _urls(programme)
    assert client.get(urls["client"]).status_code == expected
    assert client.get(urls["programme"]).status_code == expected
    workspace = 200 if role in (ADMIN, PL) else 403
    assert client.get(urls["workspace"]).status_code == workspace


def test_another_client_gets_404(world, other_world, team, client, unscoped):
    programme, *_ = team
    client.force_login(other_world.users[STAFF])
    urls = _urls(programme)
    assert client.get(urls["programme"]).status_code == 404
    assert client.get(urls["client"]).status_code == 404
    # Their own client's dashboard with our programme's id: not found either.
    theirs = reverse(
        "reporting:programme_dashboard",
        kwargs={"org": other_world.client.slug, "programme_pk": programme.pk},
    )
    assert client.get(theirs).status_code == 404


def test_a_project_leader_sees_only_the_programmes_they_lead(world, team, client, unscoped):
    programme, *_ = team
    other_pl = UserFactory(email="pl2@noord.example", role=PL, organisation=world.consultancy)
    other_pl.assigned_clients.set([world.client])
    client.force_login(other_pl)
    urls = _urls(programme)
    assert client.get(urls["programme"]).status_code == 404
    assert client.get(urls["workspace"]).status_code == 404
    response = client.get(urls["client"])
    assert response.status_code == 200
    assert response.context["figures"].programme_ids == []


def test_links_to_the_dashboards(world, team, staff_client, client, unscoped):
    programme, *_ = team
    urls = _urls(programme)
    home = staff_client.get(reverse("portal_home", kwargs={"org": world.client.slug}))
    assert urls["client"] in home.content.decode()
    page = staff_client.get(
        reverse("portal_programme", kwargs={"org": world.client.slug, "programme_pk": programme.pk})
    )
    assert urls["programme"] in page.content.decode()
    client.force_login(world.users[PL])
    tab = client.get(
        reverse("programme_detail", kwargs={"org": world.client.slug, "programme_pk": programme.pk})
    )
    assert urls["workspace"] in tab.content.decode()


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"period": "last_12_months", "bucket": "week"})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_rows(world, team, staff_client, unscoped):
    programme, member, categories = team
    now = timezone.now()
    _signals(programme, categories[0], 10, reported_at=now - dt.timedelta(days=3))
    summaries_rebuild()
    url = _urls(programme)["client"]
    small = _queries(staff_client, url)
    for i, category in enumerate(categories[:5]):
        _signals(programme, category, 198, reported_at=now - dt.timedelta(days=40 * i + 1))
    for i in range(20):
        r = Round.objects.create(
            organisation=programme.organisation,
            programme=programme,
            uuid=uuid.uuid4(),
            payload_hash="0" * 64,
            started_at=now - dt.timedelta(days=10 * i + 1),
            ended_at=now - dt.timedelta(days=10 * i + 1) + dt.timedelta(hours=1),
        )
        r.walkers.set([member])
    pl = world.users[PL]
    extra = services.programme_create(
        actor=pl,
        client=world.client,
        project_leaders=[pl],
        name="Team Oost",
        neighbourhood="Oost",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    assert extra.pk
    summaries_rebuild()
    assert Signal.objects.filter(programme=programme).count() == 1000
    assert _queries(staff_client, url) == small
