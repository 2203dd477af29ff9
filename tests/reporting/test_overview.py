"""The consultancy's overview across clients: each health flag just inside and just outside its
threshold on hand-made data, the project leader's scoping, the filters (bad values included),
the page, its query count at 10 and 1,000 programmes, and its place in the navigation."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from patrols.models import Round, Signal
from patrols.workflow import Status
from programmes import services
from programmes.models import Milestone, Phase, Programme, Progress
from programmes.permissions import Role
from recruitment import services as recruitment
from recruitment.models import Application, ApplicationEvent
from reporting.selectors import overview as selectors
from tests.builders import candidate, report_signal
from tests.factories import UserFactory

NOW = timezone.now()
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def _programme(world, name, *, walking=True, leader=None):
    leader = leader or world.users[Role.PROJECT_LEADER]
    programme = services.programme_create(
        actor=leader,
        client=world.client,
        project_leaders=[leader],
        name=name,
        neighbourhood="Noord",
        municipality="Noordstad",
        start_date=dt.date(2026, 1, 5),
    )
    if walking:  # the kickoff was held: the team is in its introduction, walking rounds
        services.programme_progress_record(programme=programme, event=Progress.KICKOFF_HELD)
    return programme


def _members(world, n, prefix="lid"):
    return [
        UserFactory(
            email=f"{prefix}{i}@noord.example", role=Role.TEAM_MEMBER, organisation=world.client
        )
        for i in range(n)
    ]


def _walk(programme, walkers, ago):
    round_ = Round.objects.create(
        organisation=programme.organisation,
        programme=programme,
        started_by=walkers[0],
        started_at=NOW - ago,
        payload_hash="x",
    )
    round_.walkers.set(walkers)
    return round_


def _row(user, programme):
    rows = {r["pk"]: r for r in selectors.overview_programmes_for(user=user, now=NOW)}
    # The round flags' "walking" (said without the phase's expression) agrees with the phase.
    with_walking = selectors.with_health(Programme.objects.filter(pk=programme.pk), now=NOW)
    walking, rank = with_walking.values_list("is_walking", "plan_phase_rank").get()
    assert bool(walking) == (rank >= selectors.WALKING_FROM), (walking, rank)
    return rows[programme.pk]


def _up(user, programme) -> set[str]:
    row = _row(user, programme)
    return {code for code in selectors.FLAG_CODES if row[f"up_{code}"]}


@pytest.fixture
def admin(world):
    return world.users[Role.CONSULTANCY_ADMIN]


def test_no_round_in_two_weeks_just_inside_and_outside(world, unscoped, admin):
    members = _members(world, 4)
    recent = _programme(world, "Recent")
    _walk(recent, members, 14 * DAY - HOUR)  # 13 days 23 hours ago: still within two weeks
    stale = _programme(world, "Stil")
    _walk(stale, members, 14 * DAY + HOUR)
    never = _programme(world, "Nooit")
    recruiting = _programme(world, "Werving", walking=False)  # no rounds expected yet

    assert selectors.NO_ROUNDS not in _up(admin, recent)
    assert selectors.NO_ROUNDS in _up(admin, stale)
    assert selectors.NO_ROUNDS in _up(admin, never)
    assert selectors.NO_ROUNDS not in _up(admin, recruiting)
    assert _row(admin, stale)["last_round_at"] == NOW - 14 * DAY - HOUR
    assert _row(admin, never)["last_round_at"] is None


def test_few_active_members_counts_distinct_walkers_of_the_last_30_days(world, unscoped, admin):
    a, b, c, d = _members(world, 4)
    four = _programme(world, "Vier")
    _walk(four, [a, b], 2 * DAY)
    _walk(four, [a, c], 5 * DAY)  # a twice: counted once
    _walk(four, [d, a], 30 * DAY - HOUR)  # just inside the 30 days
    three = _programme(world, "Drie")
    _walk(three, [a, b], 2 * DAY)
    _walk(three, [c, a], 3 * DAY)
    _walk(three, [d, a], 30 * DAY + HOUR)  # d walked just too long ago
    recruiting = _programme(world, "Werving", walking=False)

    assert _row(admin, four)["active_members"] == 4
    assert selectors.FEW_ACTIVE not in _up(admin, four)
    assert _row(admin, three)["active_members"] == 3
    assert selectors.FEW_ACTIVE in _up(admin, three)
    assert selectors.FEW_ACTIVE not in _up(admin, recruiting)


def test_the_round_flags_follow_the_plan_when_no_event_says_the_phase(world, unscoped, admin):
    """Without a progress event, the plan's open milestones say the phase: a plan with only
    guidance left is walking (flagged without rounds), one with recruitment open is not."""
    today = timezone.localdate(NOW)
    guided = _programme(world, "Begeleiding", walking=False)
    recruiting = _programme(world, "Werving", walking=False)
    for programme, open_phase in ((guided, Phase.GUIDANCE), (recruiting, Phase.RECRUITMENT)):
        for phase, done_at in ((Phase.PREPARATION, NOW), (open_phase, None)):
            Milestone.objects.create(
                organisation=programme.organisation,
                programme=programme,
                phase=phase,
                title="Stap",
                due_date=today + DAY,
                done_at=done_at,
            )
    assert selectors.NO_ROUNDS in _up(admin, guided)
    assert selectors.FEW_ACTIVE in _up(admin, guided)
    assert _up(admin, recruiting) == set()


def test_milestones_overdue_are_open_ones_past_their_date(world, unscoped, admin):
    programme = _programme(world, "Plan", walking=False)
    today = timezone.localdate(NOW)

    def milestone(due, done_at=None):
        Milestone.objects.create(
            organisation=programme.organisation,
            programme=programme,
            phase=Phase.RECRUITMENT,
            title="Flyers",
            due_date=due,
            done_at=done_at,
        )

    milestone(today)  # due today: not late yet
    milestone(today - DAY, done_at=NOW)  # late but done
    assert selectors.MILESTONES_OVERDUE not in _up(admin, programme)
    milestone(today - DAY)
    milestone(today - 30 * DAY)
    assert _row(admin, programme)["plan_overdue"] == 2
    assert selectors.MILESTONES_OVERDUE in _up(admin, programme)


def test_signals_overdue_are_open_ones_past_their_due_date(world, team, admin):
    programme, _member, _categories = team
    today = timezone.localdate(NOW)
    on_time = report_signal(team, description="Matras")
    late = report_signal(team, description="Matras")
    later = report_signal(team, description="Matras")
    closed = report_signal(team, description="Matras")
    Signal.objects.filter(pk=on_time.pk).update(due_date=today)
    Signal.objects.filter(pk__in=[late.pk, later.pk]).update(due_date=today - DAY)
    Signal.objects.filter(pk=later.pk).update(status=Status.FORWARDED)
    Signal.objects.filter(pk=closed.pk).update(due_date=today - DAY, status=Status.RESOLVED)

    assert _row(admin, programme)["signals_overdue"] == 2
    assert selectors.SIGNALS_OVERDUE in _up(admin, programme)
    Signal.objects.filter(pk__in=[late.pk, later.pk]).update(due_date=today)
    assert selectors.SIGNALS_OVERDUE not in _up(admin, programme)


def test_candidates_waiting_longer_than_a_week_for_the_client(world, unscoped, admin):
    programme = _programme(world, "Selectie", walking=False)
    recruitment.campaign_save(actor=None, programme=programme, is_open=True)
    waiting = candidate(world, programme, email="a@example.org")
    fresh = candidate(world, programme, email="b@example.org")
    reproposed = candidate(world, programme, email="c@example.org")
    decided = candidate(world, programme, email="d@example.org")
    for application, ago in ((waiting, 7 * DAY + HOUR), (fresh, 7 * DAY - HOUR)):
        Application.objects.filter(pk=application.pk).update(created_at=NOW - 20 * DAY)
        ApplicationEvent.objects.filter(application=application).update(created_at=NOW - ago)
    # Proposed long ago, taken back and proposed again yesterday: waits one day.
    Application.objects.filter(pk__in=[reproposed.pk, decided.pk]).update(created_at=NOW - 20 * DAY)
    ApplicationEvent.objects.filter(application=reproposed).update(created_at=NOW - 20 * DAY)
    ApplicationEvent.objects.create(
        organisation=programme.organisation,
        application=reproposed,
        from_stage="interview",
        to_stage="proposed",
        created_at=NOW - DAY,
    )
    ApplicationEvent.objects.filter(application=decided).update(created_at=NOW - 20 * DAY)
    Application.objects.filter(pk=decided.pk).update(stage="selected")

    assert _row(admin, programme)["candidates_waiting"] == 1
    assert selectors.CANDIDATES_WAITING in _up(admin, programme)


def test_a_programme_without_trouble_has_no_flag(world, unscoped, admin):
    programme = _programme(world, "Goed")
    _walk(programme, _members(world, 4), DAY)
    assert _up(admin, programme) == set()


def test_project_leader_sees_only_the_programmes_they_lead(world, unscoped, client):
    leader = world.users[Role.PROJECT_LEADER]
    other_leader = UserFactory(
        email="pl2@noord.example", role=Role.PROJECT_LEADER, organisation=world.consultancy
    )
    other_leader.assigned_clients.set([world.client])
    mine = _programme(world, "Mijn programma", leader=leader)
    theirs = _programme(world, "Hun programma", leader=other_leader)

    ids = {r["pk"] for r in selectors.overview_programmes_for(user=leader, now=NOW)}
    assert ids == {mine.pk}
    client.force_login(leader)
    page = client.get(reverse("reporting:overview")).text
    assert "Mijn programma" in page
    assert "Hun programma" not in page
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    page = client.get(reverse("reporting:overview")).text
    assert "Mijn programma" in page and "Hun programma" in page
    assert theirs.pk


def test_the_page_says_each_flag_in_words_with_its_figure(world, team, client):
    programme, member, _categories = team
    services.programme_progress_record(programme=programme, event=Progress.KICKOFF_HELD)
    today = timezone.localdate()
    signals = [report_signal(team, description="Matras") for _ in range(3)]
    Signal.objects.filter(pk__in=[s.pk for s in signals]).update(due_date=today - DAY)
    _walk(programme, [member], 16 * DAY + HOUR)
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    page = client.get(reverse("reporting:overview")).text
    assert "3 meldingen over tijd bij de opdrachtgever" in page
    assert "16 dagen geen ronde gelopen" in page
    assert "1 teamlid liep een ronde in de laatste 30 dagen" in page
    detail = reverse(
        "programme_detail", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    assert f'href="{detail}"' in page
    # The summary counts it under its phase and under each flag that is up.
    summary = selectors.overview_summary_for(user=world.users[Role.CONSULTANCY_ADMIN], now=NOW)
    assert summary["phases"][Phase.INTRODUCTION] == 1
    assert summary["flags"] == {
        selectors.SIGNALS_OVERDUE: 1,
        selectors.NO_ROUNDS: 1,
        selectors.FEW_ACTIVE: 1,
        selectors.MILESTONES_OVERDUE: 0,
        selectors.CANDIDATES_WAITING: 0,
    }


def test_filters_by_flag_phase_and_client(world, unscoped, client):
    troubled = _programme(world, "Zorgenkind")
    calm = _programme(world, "Rustig", walking=False)
    _walk(troubled, _members(world, 1), 20 * DAY)
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    url = reverse("reporting:overview")

    page = client.get(url, {"flag": selectors.NO_ROUNDS}).text
    assert "Zorgenkind" in page and "Rustig" not in page
    page = client.get(url, {"phase": Phase.PREPARATION}).text
    assert "Rustig" in page and "Zorgenkind" not in page
    page = client.get(url, {"client": world.other_client.slug}).text
    assert "Rustig" not in page and "Zorgenkind" not in page
    assert calm.pk


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"flag": "bogus"}, "Dat aandachtspunt bestaat niet"),
        ({"phase": "later"}, "Die fase bestaat niet"),
        ({"client": "zuid-gemeente"}, "Die opdrachtgever hoort niet bij jou"),
        ({"client": "x\x00y"}, None),
        ({"page": "999"}, None),
        ({"page": "-1"}, None),
        ({"flag": "a" * 5000}, "Dat aandachtspunt bestaat niet"),
    ],
)
def test_bad_filter_values_are_named_and_ignored(world, unscoped, client, params, message):
    _programme(world, "Zorgenkind")
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    response = client.get(reverse("reporting:overview"), params)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "Zorgenkind" in response.text
    if message:
        assert response.status_code == 200
        assert message in response.text


def _bulk_programmes(world, n, leader):
    """`n` programmes of `world`'s client led by `leader`, each with an overdue signal-free
    plan but a round, in bulk (the services would take minutes at 1,000)."""
    made = Programme.objects.bulk_create(
        Programme(
            organisation=world.client,
            name=f"Programma {i:04d}",
            neighbourhood="Wijk",
            municipality="Stad",
            start_date=dt.date(2026, 1, 5),
        )
        for i in range(n)
    )
    Programme.project_leaders.through.objects.bulk_create(
        Programme.project_leaders.through(programme_id=p.pk, user_id=leader.pk) for p in made
    )
    return made


def test_pagination_and_query_count_constant_from_10_to_1000_programmes(world, unscoped, client):
    leader = world.users[Role.PROJECT_LEADER]
    _bulk_programmes(world, 10, leader)
    client.force_login(leader)
    url = reverse("reporting:overview")
    client.get(url)  # warm: sessions, translations
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _bulk_programmes(world, 990, leader)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]
    assert "Pagina 1 van 20" in response.text
    last = client.get(url, {"page": 20}).text
    assert len(re.findall(r"Programma \d{4}", last)) == 50


def test_overview_is_in_the_navigation_of_the_consultancy(world, client):
    overview = reverse("reporting:overview")
    for role, shown in (
        (Role.CONSULTANCY_ADMIN, True),
        (Role.PROJECT_LEADER, True),
        (Role.CLIENT_STAFF, False),
    ):
        client.force_login(world.users[role])
        html = client.get(reverse("home"), follow=True).text
        nav = re.search(r'<ul class="navbar-nav me-auto">(.*?)</ul>', html, re.S).group(1)
        assert (f'href="{overview}"' in nav) is shown, role
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    html = client.get(overview).text
    assert f'href="{overview}" aria-current="page">Stand van zaken</a>' in html
    # Not the word of the programme's first tab.
    assert ">Overzicht</a>" not in re.search(
        r'<ul class="navbar-nav me-auto">(.*?)</ul>', html, re.S
    ).group(1)


def test_client_staff_may_not_open_the_overview(world, client):
    client.force_login(world.users[Role.CLIENT_STAFF])
    assert client.get(reverse("reporting:overview")).status_code == 403
    with scopes_disabled():
        assert not Programme.objects.exists()
