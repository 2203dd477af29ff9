"""The dashboard's figures against hand-computed data: Amsterdam month boundaries, a signal
reopened and closed again, on-time shares and medians, rounds and walker hours, active
members, conversations, hot spots and the effort obligation."""

import datetime as dt
import uuid
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from patrols import services as patrols
from patrols.models import Conversation, EffortRule, Round, Signal, SignalEvent
from programmes import services
from programmes.models import Invitee, Meeting
from programmes.permissions import Role
from reporting.selectors.figures import buckets_of, period_bounds, period_figures
from reporting.services.summary import summaries_rebuild, summaries_refresh

from ..factories import UserFactory

UTC = dt.UTC
AMS = ZoneInfo("Europe/Amsterdam")


def at(*args, tz=UTC):
    return dt.datetime(*args, tzinfo=tz)


def signal(programme, category, reported_at, *, status="new", closed_at=None, due=None, **kw):
    """A signal row as the phone and the follow-up would have left it (made directly: the
    figures read rows, whichever service wrote them)."""
    return Signal.objects.create(
        organisation=programme.organisation,
        programme=programme,
        category=category,
        uuid=uuid.uuid4(),
        payload_hash="0" * 64,
        reported_at=reported_at,
        created_at=reported_at,
        status=status,
        closed_at=closed_at,
        due_date=due or (timezone.localtime(reported_at).date() + dt.timedelta(days=7)),
        **kw,
    )


def walked(programme, walkers, start, minutes):
    r = Round.objects.create(
        organisation=programme.organisation,
        programme=programme,
        uuid=uuid.uuid4(),
        payload_hash="0" * 64,
        started_at=start,
        ended_at=start + dt.timedelta(minutes=minutes) if minutes is not None else None,
    )
    r.walkers.set(walkers)
    return r


@pytest.fixture
def cats(team):
    programme, _member, categories = team
    child = next(c for c in categories if c.parent_id)
    mains = [c for c in categories if not c.parent_id and c.pk != child.parent_id]
    return mains[0], mains[1], child


def test_a_signal_at_2330_utc_on_31_january_is_february(team, cats):
    programme, *_ = team
    a, b, _child = cats
    signal(programme, a, at(2027, 1, 31, 22, 59))  # 23:59 Amsterdam: January
    signal(programme, a, at(2027, 1, 31, 23, 30))  # 00:30 on 1 February in Amsterdam
    signal(programme, b, at(2027, 2, 28, 22, 30))  # 23:30 on 28 February: February
    signal(programme, b, at(2027, 2, 28, 23, 0))  # midnight: March, outside
    summaries_rebuild()
    f = period_figures(
        programmes=[programme], start=dt.date(2027, 1, 1), end=dt.date(2027, 3, 1), bucket="month"
    )
    assert [bk.start for bk in f.buckets] == [dt.date(2027, 1, 1), dt.date(2027, 2, 1)]
    assert f.signals == [1, 2]
    by_cat = {s.label: s.values for s in f.signals_by_category}
    assert by_cat == {a.name: [1, 1], b.name: [0, 1]}
    assert {s.key: s.values for s in f.signals_by_status}["new"] == [1, 2]


def test_a_sub_category_counts_for_its_main_category_and_status_is_the_status_now(team, cats):
    programme, *_ = team
    a, _b, child = cats
    parent = child.parent
    signal(programme, child, at(2027, 3, 2, 10))
    signal(programme, parent, at(2027, 3, 3, 10), status="in_progress")
    signal(programme, a, at(2027, 3, 4, 10), status="resolved", closed_at=at(2027, 3, 5, 10))
    summaries_rebuild()
    f = period_figures(programmes=[programme], start=dt.date(2027, 3, 1), end=dt.date(2027, 4, 1))
    assert {s.label: s.total for s in f.signals_by_category} == {parent.name: 2, a.name: 1}
    status = {s.key: s.total for s in f.signals_by_status}
    assert status == {
        "new": 1,
        "in_progress": 1,
        "forwarded": 0,
        "resolved": 1,
        "not_applicable": 0,
    }


def test_weeks_are_iso_weeks_cut_to_the_period():
    buckets = buckets_of(dt.date(2027, 3, 3), dt.date(2027, 3, 17), "week")  # Wed to Wed
    assert [(b.start, b.end) for b in buckets] == [
        (dt.date(2027, 3, 3), dt.date(2027, 3, 8)),
        (dt.date(2027, 3, 8), dt.date(2027, 3, 15)),
        (dt.date(2027, 3, 15), dt.date(2027, 3, 17)),
    ]


def test_named_periods():
    today = dt.date(2027, 5, 20)
    assert period_bounds("this_month", today=today) == (dt.date(2027, 5, 1), dt.date(2027, 5, 21))
    assert period_bounds("last_month", today=today) == (dt.date(2027, 4, 1), dt.date(2027, 5, 1))
    assert period_bounds("this_quarter", today=today) == (
        dt.date(2027, 4, 1),
        dt.date(2027, 5, 21),
    )
    assert period_bounds("last_12_months", today=today) == (
        dt.date(2026, 6, 1),
        dt.date(2027, 5, 21),
    )
    assert period_bounds("last_month", today=dt.date(2027, 1, 9)) == (
        dt.date(2026, 12, 1),
        dt.date(2027, 1, 1),
    )


def test_week_buckets_of_signals(team, cats):
    programme, *_ = team
    a, *_ = cats
    signal(programme, a, at(2027, 3, 7, 22, 30))  # Sunday 23:30 Amsterdam: week of 1 March
    signal(programme, a, at(2027, 3, 7, 23, 30))  # Monday 00:30: week of 8 March
    signal(programme, a, at(2027, 3, 8, 12))
    summaries_rebuild()
    f = period_figures(
        programmes=[programme], start=dt.date(2027, 3, 3), end=dt.date(2027, 3, 17), bucket="week"
    )
    assert f.signals == [1, 2, 0]


def _transition(signal_, status, when, actor):
    """Move the signal as the follow-up does, at `when` (the history row's default clock is
    bound at import, so its moment is set after)."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        patrols.signal_transition(actor=actor, signal=signal_, status=status, text="gedaan")
    last = SignalEvent.objects.filter(signal=signal_).order_by("-pk")[:1].get()
    SignalEvent.objects.filter(pk=last.pk).update(created_at=when)


def test_a_reopened_signal_counts_by_its_last_close(world, team, cats):
    """Closed in January, reopened and closed again in February: one close, in February,
    taken from the report date to the last close. The incremental refresh moves it out of
    January's cell (the day of its earlier close is rewritten too)."""
    programme, *_ = team
    a, *_ = cats
    staff = world.users[Role.CLIENT_STAFF]
    s = signal(programme, a, at(2027, 1, 5, 9), due=dt.date(2027, 1, 12))
    with mock.patch("django.utils.timezone.now", return_value=at(2027, 1, 8, 9)):
        summaries_rebuild()
    _transition(s, "resolved", at(2027, 1, 10, 9), staff)
    with mock.patch("django.utils.timezone.now", return_value=at(2027, 1, 10, 12)):
        summaries_refresh()
    jan = dict(start=dt.date(2027, 1, 1), end=dt.date(2027, 2, 1))
    feb = dict(start=dt.date(2027, 2, 1), end=dt.date(2027, 3, 1))
    f = period_figures(programmes=[programme], **jan)
    assert (f.handling_total.closed, f.handling_total.on_time) == (1, 1)
    assert f.handling_total.median_days == 5
    assert f.open_now == 0
    _transition(s, "in_progress", at(2027, 1, 20, 9), staff)
    _transition(s, "resolved", at(2027, 2, 2, 23, 30), staff)  # 3 Feb 00:30 in Amsterdam
    with mock.patch("django.utils.timezone.now", return_value=at(2027, 2, 3, 12)):
        assert summaries_refresh() > 0
    assert period_figures(programmes=[programme], **jan).handling_total.closed == 0
    f = period_figures(programmes=[programme], **feb)
    assert f.open_now == 0
    total = f.handling_total
    assert (total.closed, total.on_time, total.median_days) == (1, 0, 29)  # 5 Jan -> 3 Feb
    assert f.as_of == at(2027, 2, 3, 12)
    # Reopened and still open: no close at all.
    _transition(s, "in_progress", at(2027, 2, 10, 9), staff)
    with mock.patch("django.utils.timezone.now", return_value=at(2027, 2, 10, 12)):
        summaries_refresh()
    f = period_figures(programmes=[programme], **feb, today=dt.date(2027, 2, 10))
    assert (f.handling_total.closed, f.open_now, f.overdue_now) == (0, 1, 1)


def test_on_time_share_and_median_per_category(team, cats):
    """a: taken 1, 3, 4 and 10 days (due after 5): 3 of 4 on time, median (3+4)/2 = 3.5;
    b: 2 and 9 days, one on time; all six: median of 1,2,3,4,9,10 = 3.5, 4 of 6 on time."""
    programme, *_ = team
    a, b, _child = cats
    for cat, days in ((a, (1, 3, 4, 10)), (b, (2, 9))):
        for n in days:
            reported = at(2027, 3, 1, 10)
            signal(
                programme,
                cat,
                reported,
                status="resolved" if n % 2 else "not_applicable",
                closed_at=reported + dt.timedelta(days=n),
                due=dt.date(2027, 3, 6),
            )
    # Still open and closed outside the period: not in the handling figures.
    signal(programme, a, at(2027, 3, 1, 10))
    signal(programme, a, at(2027, 2, 1, 10), status="resolved", closed_at=at(2027, 2, 2, 10))
    summaries_rebuild()
    f = period_figures(programmes=[programme], start=dt.date(2027, 3, 1), end=dt.date(2027, 4, 1))
    rows = {h.label: h for h in f.handling}
    assert (rows[a.name].closed, rows[a.name].on_time, rows[a.name].median_days) == (4, 3, 3.5)
    assert rows[a.name].on_time_share == 0.75
    assert rows[a.name].target_days == a.handling_days
    assert (rows[b.name].closed, rows[b.name].on_time, rows[b.name].median_days) == (2, 1, 5.5)
    total = f.handling_total
    assert (total.closed, total.on_time, total.median_days) == (6, 4, 3.5)


def test_open_and_overdue_now(team, cats):
    programme, *_ = team
    a, *_ = cats
    signal(programme, a, at(2027, 3, 1, 10), due=dt.date(2027, 3, 9))  # overdue on the 10th
    signal(programme, a, at(2027, 3, 1, 10), status="forwarded", due=dt.date(2027, 3, 10))
    signal(programme, a, at(2027, 3, 1, 10), status="resolved", closed_at=at(2027, 3, 2, 10))
    summaries_rebuild()
    f = period_figures(
        programmes=[programme],
        start=dt.date(2027, 3, 1),
        end=dt.date(2027, 4, 1),
        today=dt.date(2027, 3, 10),
    )
    assert (f.open_now, f.overdue_now) == (2, 1)


def test_rounds_walker_hours_and_active_members(world, team):
    """Two rounds in March (2 walkers 90 min; 1 walker 60 min), one starting 31 March 23:30
    Amsterdam (March) and one still under way (not walked): 3 rounds, 3.5 round hours..."""
    programme, member, _ = team
    pl = world.users[Role.PROJECT_LEADER]
    other = world.users[Role.CLIENT_STAFF]  # any user will do as a walker here
    walked(programme, [member, pl], at(2027, 3, 3, 18), 90)
    walked(programme, [member], at(2027, 3, 20, 18), 60)
    walked(programme, [other], at(2027, 3, 31, 21, 30), 60)  # 23:30 on 31 March Amsterdam
    walked(programme, [member], at(2027, 3, 31, 22, 30), 60)  # 00:30 on 1 April
    walked(programme, [member], at(2027, 3, 25, 18), None)  # not ended
    f = period_figures(programmes=[programme], start=dt.date(2027, 3, 1), end=dt.date(2027, 4, 1))
    assert f.rounds == [3]
    assert f.round_hours == [3.5]
    assert f.walker_hours == [5.0]  # 2 x 1.5 + 1 + 1
    assert f.active_members == 3
    assert f.active_members_per_bucket == [3]


def test_conversations_and_aggression(team):
    programme, member, _ = team
    for when, aggression in (
        (at(2027, 3, 1, 10), False),
        (at(2027, 3, 31, 22, 30), True),  # 1 April in Amsterdam
        (at(2027, 3, 15, 10), True),
    ):
        Conversation.objects.create(
            organisation=programme.organisation,
            programme=programme,
            uuid=uuid.uuid4(),
            payload_hash="0" * 64,
            topic="noise",
            outcome="bad",
            aggression=aggression,
            reported_at=when,
            reported_by=member,
        )
    f = period_figures(programmes=[programme], start=dt.date(2027, 3, 1), end=dt.date(2027, 5, 1))
    assert f.conversations == [2, 1]
    assert f.aggression == [1, 1]


def test_hot_spots_are_grid_cells(team, cats):
    programme, *_ = team
    a, *_ = cats
    # Two in one cell (52.0001..52.0019 lat, 4.3401..4.3432 lng), one in the next cell north.
    for lat, lng in (("52.000100", "4.340100"), ("52.001900", "4.343000"), ("52.002100", "4.3401")):
        signal(programme, a, at(2027, 3, 2, 10), latitude=Decimal(lat), longitude=Decimal(lng))
    signal(programme, a, at(2027, 3, 2, 10))  # no position: not on the map
    summaries_rebuild()
    f = period_figures(programmes=[programme], start=dt.date(2027, 3, 1), end=dt.date(2027, 4, 1))
    spots = [(s.latitude, s.longitude, s.signals) for s in f.hotspots]
    assert spots == [(52.001, 4.341667, 2), (52.003, 4.341667, 1)]


def test_effort_share(world, team):
    """A rule of 2 rounds and 2 hours a month: the member walks 2 rounds of 70 minutes in
    March (met); a second member walks one (not met). April: nobody walked."""
    programme, member, _ = team
    pl = world.users[Role.PROJECT_LEADER]
    second = UserFactory(role=Role.TEAM_MEMBER, organisation=programme.organisation)
    roster = services.team_member_add(actor=pl, programme=programme, user=second)
    type(roster).objects.filter(programme=programme).update(joined_at=at(2027, 1, 1))
    EffortRule.objects.create(
        organisation=programme.organisation, programme=programme, min_rounds=2, min_hours=2
    )
    walked(programme, [member, second], at(2027, 3, 3, 18), 70)
    walked(programme, [member], at(2027, 3, 10, 18), 70)
    f = period_figures(programmes=[programme], start=dt.date(2027, 3, 1), end=dt.date(2027, 5, 1))
    assert [(e.month, e.members, e.met) for e in f.effort] == [
        (dt.date(2027, 3, 1), 2, 1),
        (dt.date(2027, 4, 1), 2, 0),
    ]
    assert f.effort[0].share == 0.5
    # The same measure as the effort page.
    efforts = patrols.effort_for_month(programme=programme, year=2027, month=3)
    assert sorted(e.met for e in efforts) == [False, True]


def test_a_team_meeting_counts_toward_the_obligation(world, team):
    programme, member, _ = team
    EffortRule.objects.create(
        organisation=programme.organisation,
        programme=programme,
        min_rounds=1,
        min_hours=0,
        min_team_meetings=1,
    )
    type(programme.team.first()).objects.filter(programme=programme).update(
        joined_at=at(2027, 1, 1)
    )
    walked(programme, [member], at(2027, 3, 3, 18), 60)
    f = period_figures(programmes=[programme], start=dt.date(2027, 3, 1), end=dt.date(2027, 4, 1))
    assert (f.effort[0].members, f.effort[0].met) == (1, 0)
    meeting = Meeting.objects.create(
        organisation=programme.organisation,
        programme=programme,
        kind=Meeting.Kind.TEAM,
        title="Teamoverleg",
        starts_at=at(2027, 3, 12, 18),
        ends_at=at(2027, 3, 12, 20),
        location="Buurthuis",
    )
    Invitee.objects.create(
        organisation=programme.organisation,
        meeting=meeting,
        user=member,
        name="Lid",
        email="lid@example.org",
        token_hash=uuid.uuid4().hex,
        attended=True,
    )
    f = period_figures(programmes=[programme], start=dt.date(2027, 3, 1), end=dt.date(2027, 4, 1))
    assert f.effort[0].met == 1


def test_another_programme_is_not_counted(world, other_world, team, cats, unscoped):
    """Figures of one programme leave another (of another client) out."""
    programme, *_ = team
    a, *_ = cats
    pl = other_world.users[Role.PROJECT_LEADER]
    theirs = services.programme_create(
        actor=pl,
        client=other_world.client,
        project_leaders=[pl],
        name="Team Zuid",
        neighbourhood="Zuid",
        municipality="Zuidstad",
        start_date=dt.date(2026, 9, 7),
    )
    their_cat = patrols.categories_ensure(programme=theirs)[0]
    signal(theirs, their_cat, at(2027, 3, 2, 10))
    signal(programme, a, at(2027, 3, 2, 10))
    summaries_rebuild()
    f = period_figures(programmes=[programme], start=dt.date(2027, 3, 1), end=dt.date(2027, 4, 1))
    assert f.signals == [1]


def test_a_refresh_cut_off_halfway_is_redone_by_the_next(team, cats):
    """A run that dies after rewriting one of its cells leaves the window where it was (and
    no run marked as busy), so the next run writes every cell of it; a run meanwhile skips."""
    from reporting.models import SummaryState
    from reporting.services import summary

    programme, *_ = team
    a, *_ = cats
    with mock.patch("django.utils.timezone.now", return_value=at(2027, 3, 1, 12)):
        summaries_rebuild()
    signal(programme, a, at(2027, 3, 1, 13))
    signal(programme, a, at(2027, 3, 3, 13))
    real = summary.summary_cells_rewrite
    calls = []

    def dies_second_time(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    with (
        mock.patch.object(summary, "summary_cells_rewrite", dies_second_time),
        pytest.raises(RuntimeError),
    ):
        summaries_refresh(now=at(2027, 3, 4, 12))
    state = SummaryState.objects.get(key="signals")
    assert state.refreshed_until == at(2027, 3, 1, 12) and state.running_since is None
    march = dict(start=dt.date(2027, 3, 1), end=dt.date(2027, 4, 1))
    assert period_figures(programmes=[programme], **march).signals == [1]  # half done
    # Another run busy: this one leaves it alone.
    SummaryState.objects.filter(pk=state.pk).update(running_since=at(2027, 3, 4, 12))
    assert summaries_refresh(now=at(2027, 3, 4, 12, 5)) == 0
    # That run died too; once its mark is stale, the next one takes over and catches up.
    assert summaries_refresh(now=at(2027, 3, 4, 13)) == 2
    assert period_figures(programmes=[programme], **march).signals == [2]
    state.refresh_from_db()
    assert state.refreshed_until == at(2027, 3, 4, 13)


def test_effort_splits_a_round_at_the_month_boundary(team):
    """A round from 23:00 on 31 March to 01:00 on 1 April (Amsterdam) gives an hour to each
    month, as the effort page does; with an obligation of one hour and no rounds, the member
    meets it in both months, and with one round only in March (where it started)."""
    programme, member, _ = team
    type(programme.team.first()).objects.filter(programme=programme).update(
        joined_at=at(2027, 1, 1)
    )
    rule = EffortRule.objects.create(
        organisation=programme.organisation, programme=programme, min_rounds=0, min_hours=1
    )
    walked(programme, [member], at(2027, 3, 31, 23, tz=AMS), 120)
    period = dict(programmes=[programme], start=dt.date(2027, 3, 1), end=dt.date(2027, 5, 1))
    assert [e.met for e in period_figures(**period).effort] == [1, 1]
    rule.min_hours = Decimal("1.5")
    rule.save(update_fields=["min_hours"])
    assert [e.met for e in period_figures(**period).effort] == [0, 0]
    rule.min_hours, rule.min_rounds = 1, 1
    rule.save(update_fields=["min_hours", "min_rounds"])
    assert [e.met for e in period_figures(**period).effort] == [1, 0]
    assert [e.met for e in patrols.effort_for_month(programme=programme, year=2027, month=4)] == [
        False
    ]


def test_month_and_week_sums_agree_with_the_days(team, cats):
    """The week and month rows are the sums of the day rows: a period that starts mid-month
    reads the edge days and the whole months, and gets the same as counting every day."""
    programme, *_ = team
    a, b, _child = cats
    for day in (3, 17, 28):
        signal(programme, a, at(2027, 1, day, 10))
        signal(programme, b, at(2027, 2, day, 10), status="resolved", closed_at=at(2027, 3, 1, 10))
        signal(programme, a, at(2027, 3, day, 10))
    summaries_rebuild()
    f = period_figures(programmes=[programme], start=dt.date(2027, 1, 10), end=dt.date(2027, 3, 20))
    assert f.signals == [2, 3, 2]
    w = period_figures(
        programmes=[programme], start=dt.date(2027, 1, 10), end=dt.date(2027, 3, 20), bucket="week"
    )
    assert sum(w.signals) == 7
    assert f.handling_total.closed == 3
