"""The effort and rounds pages at size: effort figures come from SQL aggregates and equal the
figures worked out round by round in Python (across a month boundary in Europe/Amsterdam), the
pages are paginated with a constant number of queries, and the reward action still works from
a later page."""

import datetime as dt
import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patrols import services as patrols
from patrols.models import Conversation, EffortRule, RewardHandout, Round, RoundSlot, Signal
from programmes.models import Invitee, Meeting, TeamMember, User
from programmes.permissions import Role
from programmes.selectors import roster

from ..factories import UserFactory


def _at(*args):
    return timezone.make_aware(dt.datetime(*args))


def _url(name, world, programme):
    return reverse(name, kwargs={"org": world.client.slug, "programme_pk": programme.pk})


def _members(programme, n, *, start=0):
    """`n` more active team members on the roster (made directly: only their number matters)."""
    users = []
    for i in range(start, start + n):
        user = UserFactory(
            role=Role.TEAM_MEMBER, organisation=programme.organisation, name=f"Lid {i:03d}"
        )
        TeamMember.objects.create(
            organisation=programme.organisation, programme=programme, user=user
        )
        users.append(user)
    return users


def _round(programme, walkers, started_at, ended_at):
    round_ = Round.objects.create(
        organisation=programme.organisation,
        programme=programme,
        uuid=uuid.uuid4(),
        started_at=started_at,
        ended_at=ended_at,
    )
    round_.walkers.set(walkers)
    return round_


def _python_effort(programme, year, month):
    """The figures as the page used to work them out: every round loaded, its overlap with the
    month added to each walker in Python; {user id: (rounds, minutes, team meetings)}."""
    start, end = patrols.month_bounds(year, month)
    members = {m.user_id: [0, 0.0, 0] for m in roster(programme=programme)}
    for round_ in Round.objects.filter(
        programme=programme, ended_at__isnull=False, started_at__lt=end, ended_at__gt=start
    ):
        overlap = (min(round_.ended_at, end) - max(round_.started_at, start)).total_seconds() / 60
        for walker in round_.walkers.all():
            if walker.pk in members:
                members[walker.pk][1] += overlap
                if start <= round_.started_at < end:
                    members[walker.pk][0] += 1
    for invitee in Invitee.objects.filter(
        meeting__programme=programme,
        meeting__kind=Meeting.Kind.TEAM,
        attended=True,
        meeting__starts_at__gte=start,
        meeting__starts_at__lt=end,
    ):
        if invitee.user_id in members:
            members[invitee.user_id][2] += 1
    return {pk: tuple(v) for pk, v in members.items()}


def test_effort_in_sql_equals_the_python_figures(team, world, settings):
    """Rounds over the October/November boundary (and over the end of summer time, 25
    October), a round still under way, a walker who left the team, team meetings attended or
    not: the SQL figures equal the round-by-round ones, and `effort_of` agrees per member."""
    assert settings.TIME_ZONE == "Europe/Amsterdam"
    programme, member, _ = team
    EffortRule.objects.create(
        organisation=programme.organisation,
        programme=programme,
        min_rounds=2,
        min_hours=2,
        min_team_meetings=1,
    )
    a, b, c = _members(programme, 3)
    gone = _members(programme, 1, start=3)[0]
    TeamMember.objects.filter(user=gone).update(is_active=False)
    _round(programme, [member, a], _at(2026, 10, 31, 23, 0), _at(2026, 11, 1, 1, 0))
    _round(programme, [member, b, gone], _at(2026, 10, 25, 1, 30), _at(2026, 10, 25, 4, 15))
    _round(programme, [a, b, c], _at(2026, 11, 5, 19, 0), _at(2026, 11, 5, 20, 30))
    _round(programme, [a], _at(2026, 11, 30, 22, 45), _at(2026, 12, 1, 0, 20))
    _round(programme, [b], _at(2026, 9, 30, 23, 50), _at(2026, 10, 1, 0, 5))
    _round(programme, [c], _at(2026, 11, 20, 19, 0), None)  # under way: counts nowhere
    for when, attended in ((_at(2026, 11, 3, 19, 0), [a, c]), (_at(2026, 10, 31, 23, 30), [b])):
        meeting = Meeting.objects.create(
            organisation=programme.organisation,
            programme=programme,
            kind=Meeting.Kind.TEAM,
            title="Teamoverleg",
            starts_at=when,
            ends_at=when + dt.timedelta(hours=1),
            location="Buurthuis",
        )
        for i, user in enumerate([member, a, b, c]):
            Invitee.objects.create(
                organisation=programme.organisation,
                meeting=meeting,
                user=user,
                name=user.name,
                email=f"i{i}-{meeting.pk}@example.org",
                token_hash=uuid.uuid4().hex,
                attended=user in attended,
            )
    for month in (9, 10, 11, 12):
        expected = _python_effort(programme, 2026, month)
        efforts = patrols.effort_for_month(programme=programme, year=2026, month=month)
        got = {e.user.pk: (e.rounds, round(e.minutes, 6), e.team_meetings) for e in efforts}
        assert got == {k: (r, round(m, 6), t) for k, (r, m, t) in expected.items()}, month
        assert [e.user.name for e in efforts] == sorted(e.user.name for e in efforts)
        for e in efforts:
            alone = patrols.effort_of(programme=programme, user=e.user, year=2026, month=month)
            assert (alone.rounds, alone.minutes, alone.team_meetings, alone.met) == (
                e.rounds,
                e.minutes,
                e.team_meetings,
                e.met,
            )
    assert patrols.effort_of(programme=programme, user=gone, year=2026, month=10) is None
    november = {
        e.user.pk: e for e in patrols.effort_for_month(programme=programme, year=2026, month=11)
    }
    # a: 1 h of the late October round + 1.5 h + 75 min until midnight, 2 rounds started, 1
    # meeting: the obligation met; member: 1 hour, no round started in November.
    assert (november[a.pk].rounds, november[a.pk].hours, november[a.pk].met) == (2, 3.8, True)
    assert (november[member.pk].rounds, november[member.pk].hours) == (0, 1.0)
    october = {
        e.user.pk: e for e in patrols.effort_for_month(programme=programme, year=2026, month=10)
    }
    # 01:30 to 04:15 on the night summer time ends is 3 h 45 min, not 2 h 45 min.
    assert october[b.pk].minutes == 5 + 225 and october[b.pk].team_meetings == 1


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx), response


def test_effort_page_queries_do_not_grow_and_it_is_paginated(client, world, team):
    programme, member, _ = team
    EffortRule.objects.create(organisation=programme.organisation, programme=programme)
    now = timezone.now()
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = _url("patrols:programme_effort", world, programme)
    _round(programme, [member], now - dt.timedelta(hours=2), now - dt.timedelta(hours=1))
    small, _ = _count(client, url)
    walkers = _members(programme, 70)
    for i in range(0, 70, 7):
        _round(programme, walkers[i : i + 7], now - dt.timedelta(hours=3), now)
    large, response = _count(client, url)
    assert large == small, f"{small} queries with 1 member, {large} with 71"
    html = response.content.decode()
    assert "Lid 048" in html and "Lid 049" not in html  # 50 a page, by name
    assert "page=2" in html


def test_effort_pages_list_the_active_roster_by_name(client, world, team):
    """The pages together hold every active member of this programme once, by name: not a
    member who left, not a colleague of the same client on another programme's team."""
    from programmes import services as programme_services

    programme, _member, _ = team
    members = _members(programme, 55)
    other = programme_services.programme_create(
        actor=world.users[Role.PROJECT_LEADER],
        client=programme.organisation,
        project_leaders=[world.users[Role.PROJECT_LEADER]],
        name="Team Zuid",
        neighbourhood="Zuid",
        municipality="Stad",
        start_date=dt.date(2026, 9, 7),
    )
    elsewhere = UserFactory(
        role=Role.TEAM_MEMBER, organisation=programme.organisation, name="Lid 020b"
    )
    TeamMember.objects.create(organisation=programme.organisation, programme=other, user=elsewhere)
    TeamMember.objects.filter(programme=programme, user=members[30]).update(is_active=False)
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = _url("patrols:programme_effort", world, programme)
    shown = []
    for number in (1, 2):
        page = client.get(f"{url}?page={number}").context["page"]
        shown += [m.user.name for m in page.object_list]
    expected = sorted(roster(programme=programme).values_list("user__name", flat=True))
    assert shown == expected
    assert "Lid 030" not in shown and "Lid 020b" not in shown and "Lid 054" in shown


def test_reward_from_page_two(client, world, team):
    """A member on the second page gets the reward marked and the page comes back to page 2."""
    programme, _member, _ = team
    EffortRule.objects.create(
        organisation=programme.organisation,
        programme=programme,
        min_rounds=0,
        min_hours=0,
        min_team_meetings=0,
    )
    users = _members(programme, 60)
    last = users[-1]
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = _url("patrols:programme_effort", world, programme)
    today = timezone.localdate()
    month = f"{today.year}-{today.month:02d}"
    html = client.get(f"{url}?month={month}&page=2").content.decode()
    assert last.name in html and f'name="reward_user" value="{last.pk}"' in html
    assert 'name="page" value="2"' in html
    response = client.post(
        url, {"reward_user": last.pk, "month": month, "handed_out": "1", "page": "2"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url}?month={month}&page=2"
    assert RewardHandout.objects.filter(programme=programme, user=last).exists()
    html = client.get(response["Location"]).content.decode()
    assert 'aria-pressed="true"' in html
    # a tampered page number still answers with a page
    assert client.get(f"{url}?month={month}&page=x").status_code == 200


def test_rounds_page_queries_do_not_grow_and_pages_go_back_in_time(client, world, team):
    programme, member, _ = team
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = _url("patrols:programme_rounds", world, programme)
    start = _at(2026, 1, 1, 19, 0)
    _round(programme, [member], start, start + dt.timedelta(hours=1))
    small, _ = _count(client, url)
    mates = _members(programme, 3)
    for day in range(1, 80):
        when = start + dt.timedelta(days=day)
        _round(programme, [member, *mates[: day % 4]], when, when + dt.timedelta(hours=1))
    large, response = _count(client, url)
    assert large == small, f"{small} queries with 1 round, {large} with 80"
    assert "page=2" in response.content.decode()
    first = list(response.context["rounds"])
    assert first[0].started_at == start + dt.timedelta(days=79)  # newest first
    _, response = _count(client, f"{url}?page=2")
    assert "page=1" in response.content.decode()
    second = list(response.context["rounds"])
    assert second[0].started_at < first[-1].started_at
    for r in first + second:
        assert r.n_walkers == r.walkers.count() and r.n_signals == 0


def _grow(programme, n, *, start, category):
    """`n` more members on the roster, each walking one round at the start of this month (so
    they meet an obligation of one round), every other round with too few walkers and every
    third with a signal; every fifth member has the month's reward. Made in bulk: at 1,000
    rows only their number matters."""
    org = programme.organisation
    users = User.objects.bulk_create(
        User(
            email=f"lid{i}@example.org",
            name=f"Lid {i:04d}",
            role=Role.TEAM_MEMBER,
            organisation=org,
        )
        for i in range(start, start + n)
    )
    TeamMember.objects.bulk_create(
        TeamMember(organisation=org, programme=programme, user=user) for user in users
    )
    today = timezone.localdate()
    first = timezone.make_aware(dt.datetime(today.year, today.month, 1, 0, 5))
    rounds = Round.objects.bulk_create(
        Round(
            organisation=org,
            programme=programme,
            uuid=uuid.uuid4(),
            started_at=first + dt.timedelta(seconds=i),
            ended_at=first + dt.timedelta(seconds=i, minutes=30),
            min_walkers=1 if i % 2 else 2,
        )
        for i in range(start, start + n)
    )
    Round.walkers.through.objects.bulk_create(
        Round.walkers.through(round_id=r.pk, user_id=u.pk)
        for r, u in zip(rounds, users, strict=True)
    )
    Signal.objects.bulk_create(
        Signal(
            organisation=org,
            programme=programme,
            round=r,
            category=category,
            reported_by=u,
            reported_at=r.started_at,
            due_date=today,
        )
        for i, (r, u) in enumerate(zip(rounds, users, strict=True))
        if i % 3 == 0
    )
    RewardHandout.objects.bulk_create(
        RewardHandout(organisation=org, programme=programme, user=u, month=today.replace(day=1))
        for i, u in enumerate(users)
        if i % 5 == 0
    )


def test_rounds_and_effort_pages_ask_as_many_queries_at_10_as_at_1000_rows(client, world, team):
    """Every part of a row shown (walkers too few, signals, the reward's form handed out or
    not, planned rounds, conversations): the same statements at 10 rows and at 1,000."""
    programme, member, categories = team
    org = programme.organisation
    EffortRule.objects.create(
        organisation=org, programme=programme, min_rounds=1, min_hours=0, min_team_meetings=0
    )
    later = timezone.now() + dt.timedelta(days=2)
    for i in range(3):
        RoundSlot.objects.create(
            organisation=org, programme=programme, starts_at=later, meeting_point=f"Plein {i}"
        )
        Conversation.objects.create(
            organisation=org,
            programme=programme,
            topic=Conversation.Topic.NOISE,
            outcome=Conversation.Outcome.GOOD,
            aggression=i == 0,
            reported_by=member if i else None,
            reported_at=timezone.now(),
        )
    category = categories[0] if isinstance(categories, list) else categories.first()
    client.force_login(world.users[Role.PROJECT_LEADER])
    urls = [
        _url("patrols:programme_rounds", world, programme),
        _url("patrols:programme_effort", world, programme),
    ]
    _grow(programme, 10, start=0, category=category)
    small = {url: _count(client, url)[0] for url in urls}
    _grow(programme, 990, start=10, category=category)
    pages = {}
    for url, n_pages in zip(urls, (20, 21), strict=True):  # 1,000 rounds; 1,001 members
        large, pages[url] = _count(client, url)
        assert large == small[url], f"{url}: {small[url]} queries at 10 rows, {large} at 1,000"
        assert f"Pagina 1 van {n_pages}" in pages[url].content.decode()  # 50 a page
    rounds_page, effort_page = (pages[url] for url in urls)
    rows = rounds_page.context["rounds"]
    assert len(rows) == 50 and any(r.few for r in rows) and any(r.n_signals for r in rows)
    html = rounds_page.content.decode()
    assert "data-too-few-walkers" in html and "Plein 2" in html and "agressie" in html
    efforts = effort_page.context["efforts"]
    assert len(efforts) == 50 and all(e.met for e in efforts if e.user != member)
    assert any(e.handed for e in efforts) and not all(e.handed for e in efforts)
    html = effort_page.content.decode()
    assert 'aria-pressed="true"' in html and html.count('name="reward_user"') >= 49
