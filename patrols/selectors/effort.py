"""The one measure of effort: what each member did per programme and calendar month, and
whether that met the programme's effort obligation. The effort page, the member's home, the
reward, the dashboard's figures and the effort export all read it, so they never disagree.

Per member and month (Europe/Amsterdam):

- rounds: rounds that ended, counted in the month they started;
- round minutes: the member's time on those rounds, split at the month boundary (a round from
  23:00 on the last day to 01:00 gives an hour to each month);
- activity hours: the hours of the activities they logged (informing neighbours, an
  initiative, a meeting with a partner...) dated in the month (a local date: an activity of
  31 October at 23:30 counts in October);
- team meetings: team meetings they attended (`Invitee.attended`) that started in the month,
  and those meetings' time;
- counted hours: the round hours, plus the activity hours and the team meetings' hours where
  the programme's rule says they count (`EffortRule.count_activity_hours`,
  `count_meeting_hours`);
- met: at least the rule's rounds, counted hours and team meetings.

Everything is summed in SQL per programme, member and month: a fixed number of queries for any
number of programmes, months, members and rows.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, DateField, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from programmes.models import Invitee, Meeting, Programme, TeamMember

from ..models import Activity, EffortRule, Round
from . import compiled


@dataclass
class Effort:
    """One member's effort in one month of one programme, and whether it met the rule."""

    user: object = None
    user_id: int | None = None
    programme_id: int | None = None
    month: dt.date | None = None
    rounds: int = 0
    minutes: float = 0  # on rounds
    activity_hours: float = 0
    team_meetings: int = 0
    meeting_minutes: float = 0
    counted_minutes: float = 0
    met: bool = False

    @property
    def hours(self) -> float:
        """The hours on rounds, to a tenth."""
        return round(self.minutes / 60, 1)

    @property
    def round_hours(self) -> float:
        return self.hours

    @property
    def meeting_hours(self) -> float:
        return round(self.meeting_minutes / 60, 1)

    @property
    def activity_hours_shown(self):
        """The activity hours as a page shows them: 2, 2.5, 2.25."""
        return shown_number(self.activity_hours)

    @property
    def counted_hours_shown(self):
        return shown_number(self.counted_hours)

    @property
    def counted_hours(self) -> float:
        """The hours that count towards the obligation, to a hundredth (an activity of a
        quarter of an hour shows as such)."""
        return round(self.counted_minutes / 60, 2)


def shown_number(value):
    """A number of hours to a hundredth without trailing zeros (2, 2.5, 2.25), for a page
    that localizes it (2,5 in Dutch)."""
    value = round(float(value), 2)
    return int(value) if value.is_integer() else value


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _previous_month(day: dt.date) -> dt.date:
    return dt.date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def _hours(duration) -> float:
    if duration is None:
        return 0.0
    if isinstance(duration, dt.timedelta):
        return duration.total_seconds() / 3600
    return float(duration) / 3_600_000_000  # microseconds (SQLite)


def _ids(programmes) -> list[int]:
    return [p.pk if isinstance(p, Programme) else int(p) for p in programmes]


def _marked(ids, users, values: dict) -> tuple[list[int], list[int] | None, dict, tuple]:
    """Marks for the programme ids and the members (None: all of them), `values` with theirs
    added, and the part of a statement's key they shape (how many of each)."""
    id_marks, by_id = compiled.id_marks(list(ids))
    user_marks, by_user = None, {}
    if users is not None:
        user_marks, by_user = compiled.id_marks(list(users), len(id_marks))
    shape = (len(id_marks), None if users is None else len(user_marks))
    return id_marks, user_marks, {**values, **by_id, **by_user}, shape


def walked_by_month(ids, first: dt.date, after: dt.date, users=None) -> dict:
    """(programme, member, month) -> (rounds started in the month, minutes within it), for the
    months [first, after), in two grouped queries. Each round's minutes go to the month it
    started in; a round that runs past a midnight that starts a month hands the minutes after
    that midnight to that month. `users`: only these members (one page of them)."""
    ids = list(ids)
    users = None if users is None else list(users)
    if not ids or users == []:
        return {}
    tz = timezone.get_current_timezone()
    begin, finish = _local_midnight(first), _local_midnight(after)
    # The statements are compiled once (per number of programmes and members) for marks.
    begin_mark, finish_mark, day_before_mark = (compiled.moment_mark(n) for n in range(3))
    values = {begin_mark: begin, finish_mark: finish, day_before_mark: begin - dt.timedelta(days=1)}
    id_marks, user_marks, values, shape = _marked(ids, users, values)

    def through():
        rows = Round.walkers.through.objects.filter(
            round__programme_id__in=id_marks, round__ended_at__isnull=False
        )
        if user_marks is not None:
            rows = rows.filter(user_id__in=user_marks)
        return rows

    out: dict = {}

    def add(key, rounds, minutes):
        n, m = out.get(key, (0, 0.0))
        out[key] = (n + rounds, m + minutes)

    def grouped():
        return (
            through()
            .filter(round__started_at__gte=begin_mark, round__started_at__lt=finish_mark)
            .annotate(m=TruncMonth("round__started_at", output_field=DateField(), tzinfo=tz))
            .values("round__programme_id", "user_id", "m")
            .annotate(
                n=Count("round_id"),
                d=Sum(
                    ExpressionWrapper(
                        F("round__ended_at") - F("round__started_at"), output_field=DurationField()
                    )
                ),
            )
            .order_by()
        )

    for programme_id, user_id, month, n, d in compiled.rows(
        ("effort.walked", *shape), grouped, values
    ):
        add((programme_id, user_id, month), n, _hours(d) * 60)
    # The rounds that ran across a midnight that starts a month (the period's start or one of
    # its month boundaries): few, fetched as they are, their minutes after that midnight
    # handed to the month it starts. Summed as durations (exact) per member before turning
    # into minutes, as a sum in SQL would.
    # The midnight that ends the period is one too: a round crossing it gives its minutes
    # after it to the month after (outside the period), not to the period's last month.
    boundaries = []
    cursor = first
    while cursor <= after:
        boundaries.append((cursor, _local_midnight(cursor)))
        cursor = _next_month(cursor)
    later: dict = {}

    # Only the rounds that run across one of those midnights are read: comparisons of the
    # stored moments, not a local date worked out for every round of the period.
    boundary_marks = [compiled.moment_mark(3 + i) for i in range(len(boundaries))]
    crossing_values = {
        **values,
        **{m: moment for m, (_month, moment) in zip(boundary_marks, boundaries, strict=True)},
    }

    def crossing():
        across = Q()
        for moment in boundary_marks:
            across |= Q(round__started_at__lt=moment, round__ended_at__gt=moment)
        return (
            through()
            .filter(
                across,
                round__ended_at__gt=begin_mark,
                round__started_at__lt=finish_mark,
                round__started_at__gte=day_before_mark,
            )
            .values_list("round__programme_id", "user_id", "round__started_at", "round__ended_at")
            .order_by()
        )

    for programme_id, user_id, started, ended in compiled.rows(
        ("effort.crossing", *shape, len(boundaries)), crossing, crossing_values
    ):
        for month, moment in boundaries:
            if started < moment < ended:
                key = (programme_id, user_id, month)
                later[key] = later.get(key, dt.timedelta()) + (ended - moment)
    for (programme_id, user_id, month), duration in sorted(later.items(), key=lambda kv: kv[0][2]):
        minutes = _hours(duration) * 60
        if minutes:
            add((programme_id, user_id, month), 0, minutes)
            add((programme_id, user_id, _previous_month(month)), 0, -minutes)
    return out


def team_meetings_by_month(ids, first: dt.date, after: dt.date, users=None) -> dict:
    """(programme, member, month) -> team meetings attended that started in the month (one
    grouped query)."""
    return {key: n for key, (n, _minutes) in _meetings(ids, first, after, users).items()}


def _meetings(ids, first: dt.date, after: dt.date, users=None) -> dict:
    """(programme, member, month) -> (team meetings attended, their minutes)."""
    ids = list(ids)
    users = None if users is None else list(users)
    if not ids or users == []:
        return {}
    begin_mark, finish_mark = compiled.moment_mark(0), compiled.moment_mark(1)
    values = {begin_mark: _local_midnight(first), finish_mark: _local_midnight(after)}
    id_marks, user_marks, values, shape = _marked(ids, users, values)

    def build():
        rows = Invitee.objects.filter(
            meeting__programme_id__in=id_marks,
            meeting__kind=Meeting.Kind.TEAM,
            attended=True,
            meeting__starts_at__gte=begin_mark,
            meeting__starts_at__lt=finish_mark,
        )
        if user_marks is not None:
            rows = rows.filter(user_id__in=user_marks)
        return (
            rows.annotate(
                m=TruncMonth(
                    "meeting__starts_at",
                    output_field=DateField(),
                    tzinfo=timezone.get_current_timezone(),
                )
            )
            .values("meeting__programme_id", "user_id", "m")
            .annotate(
                n=Count("pk"),
                d=Sum(
                    ExpressionWrapper(
                        F("meeting__ends_at") - F("meeting__starts_at"),
                        output_field=DurationField(),
                    )
                ),
            )
            .order_by()
        )

    return {
        (programme_id, user_id, month): (n, _hours(d) * 60)
        for programme_id, user_id, month, n, d in compiled.rows(
            ("effort.meetings", *shape), build, values
        )
    }


def activity_hours_by_month(ids, first: dt.date, after: dt.date, users=None) -> dict:
    """(programme, member, month) -> hours of the activities dated in the month (one grouped
    query on the local date the member gave)."""
    ids = list(ids)
    users = None if users is None else list(users)
    if not ids or users == []:
        return {}
    first_mark, after_mark = compiled.day_mark(0), compiled.day_mark(1)
    values = {first_mark: first, after_mark: after}
    id_marks, user_marks, values, shape = _marked(ids, users, values)

    def build():
        rows = Activity.objects.filter(
            programme_id__in=id_marks, date__gte=first_mark, date__lt=after_mark
        )
        if user_marks is not None:
            rows = rows.filter(user_id__in=user_marks)
        return (
            rows.annotate(m=TruncMonth("date", output_field=DateField()))
            .values("programme_id", "user_id", "m")
            .annotate(h=Sum("hours"))
            .order_by()
        )

    return {
        (programme_id, user_id, month): float(h or 0)
        for programme_id, user_id, month, h in compiled.rows(
            ("effort.activities", *shape), build, values
        )
    }


def effort_rules(ids) -> dict:
    """programme id -> its EffortRule (one query); a programme without one is missing."""
    return {r.programme_id: r for r in EffortRule.objects.filter(programme_id__in=ids)}


def effort_met(effort: Effort, rule) -> bool:
    """Whether `effort` meets `rule` (False without a rule); sets its counted minutes."""
    counted = effort.minutes
    if rule is None or rule.count_activity_hours:
        counted += effort.activity_hours * 60
    if rule is None or rule.count_meeting_hours:
        counted += effort.meeting_minutes
    effort.counted_minutes = counted
    effort.met = rule is not None and (
        effort.rounds >= rule.min_rounds
        and counted >= float(rule.min_hours) * 60
        and effort.team_meetings >= rule.min_team_meetings
    )
    return effort.met


def effort_by_member_month(
    *, programmes, first: dt.date, after: dt.date, users=None, rules=None
) -> dict:
    """(programme id, user id, month) -> Effort for every member with any effort in the months
    [first, after) of `programmes` (objects or ids), `met` measured against each programme's
    rule (`rules`: those rules when the caller read them already). `users`: only these members
    (one page of them). Five queries, whatever the size."""
    ids = _ids(programmes)
    out: dict = {}

    def effort(key) -> Effort:
        if key not in out:
            out[key] = Effort(programme_id=key[0], user_id=key[1], month=key[2])
        return out[key]

    months = set()
    cursor = first
    while cursor < after:
        months.add(cursor)
        cursor = _next_month(cursor)
    for key, (n, minutes) in walked_by_month(ids, first, after, users).items():
        if key[2] in months:
            e = effort(key)
            e.rounds, e.minutes = n, minutes
    for key, (n, minutes) in _meetings(ids, first, after, users).items():
        e = effort(key)
        e.team_meetings, e.meeting_minutes = n, minutes
    for key, hours in activity_hours_by_month(ids, first, after, users).items():
        effort(key).activity_hours = hours
    if rules is None:
        rules = effort_rules(ids)
    for (programme_id, _user_id, _month), e in out.items():
        effort_met(e, rules.get(programme_id))
    return out


def effort_population(programmes, after: dt.date):
    """The members who may be held to the obligation in several programmes at once: on the
    team (active or paused; not left), joined before `after`. Who was paused or gone in a
    given month is not held to it that month: the caller takes those out per month with
    `programmes.selectors.members_excused_by_period` (the membership's history), so a pause
    in March excuses March only. The one place the population of the figures and the export
    is chosen; (programme id, user id, joined at) rows, by name."""
    ids = _ids(programmes)
    if not ids:
        return []
    return list(
        TeamMember.objects.filter(
            programme_id__in=ids, is_active=True, joined_at__lt=_local_midnight(after)
        )
        .order_by("user__name", "pk")
        .values_list("programme_id", "user_id", "joined_at")
    )


def efforts_of_members(
    *, programme: Programme, members, year: int, month: int, rules=None
) -> list[Effort]:
    """The efforts of `members` (roster rows, in their order) in a calendar month of
    `programme`: everyone listed, also who did nothing. `rules`: {programme id: its rule or
    None} when the caller read it already."""
    first = dt.date(year, month, 1)
    members = list(members)
    if not members:
        return []
    if rules is None:
        rules = effort_rules([programme.pk])
    found = effort_by_member_month(
        programmes=[programme],
        first=first,
        after=_next_month(first),
        users=[m.user_id for m in members],
        rules=rules,
    )
    rule = rules.get(programme.pk)
    out = []
    for m in members:
        effort = found.get((programme.pk, m.user_id, first))
        if effort is None:
            effort = Effort(programme_id=programme.pk, user_id=m.user_id, month=first)
            effort_met(effort, rule)
        effort.user = m.user
        out.append(effort)
    return out
