"""Reads of the project leader's patrol pages of a programme: slots, rounds, conversations,
categories, the effort rule and rewards."""

import datetime as dt
from typing import NamedTuple

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from programmes.models import Programme, TeamMember, User
from programmes.selectors import roster

from ..models import (
    Conversation,
    EffortRule,
    RewardHandout,
    Round,
    RoundSlot,
    Signal,
    SignalCategory,
)
from ..workflow import Status
from . import compiled


def planned_slots(*, programme: Programme, limit: int = 20) -> list[tuple]:
    """The programme's scheduled rounds still to come, soonest first, as (starts at, meeting
    point, area, minimum walkers, sign-ups) rows: what a row shows. Compiled once."""
    programme_mark, now_mark = compiled.mark(0), compiled.moment_mark(0)

    def build():
        return (
            RoundSlot.objects.filter(programme_id=programme_mark, starts_at__gte=now_mark)
            .annotate(n_signups=Count("signups"))
            .order_by("starts_at")
            .values_list("starts_at", "meeting_point", "area", "min_walkers", "n_signups")[:limit]
        )

    return compiled.rows(
        ("planned_slots", limit), build, {programme_mark: programme.pk, now_mark: timezone.now()}
    )


def rounds_walked(*, programme: Programme) -> QuerySet[Round]:
    """The programme's rounds, newest first, for paging (the index on programme and start
    answers the order); `rounds_walked_page` reads a page of them. Only what a row shows is
    loaded."""
    return (
        Round.objects.filter(programme=programme)
        .only("started_at", "ended_at", "min_walkers", "outcome", "remark")
        .order_by("-started_at", "-pk")
    )


def count_per_round(rows: QuerySet):
    """How many of `rows` (of a table with a `round` key: walkers, signals) belong to the
    outer query's round, counted by the database from the table's round index; 0 for none."""
    per_round = (
        rows.filter(round_id=OuterRef("pk"))
        .order_by()
        .values("round_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_round, output_field=IntegerField()), 0)


_ROUND_FIELDS = ("id", "started_at", "ended_at", "min_walkers", "outcome", "remark")


def rounds_walked_page(*, request, programme: Programme):
    """The page (`?page=`) of `rounds_walked` the request asks for, each round with
    `n_walkers` and `n_signals` counted in the page's own statement (a count per row of the
    page from the indexes on the round, not a join and GROUP BY over every round of the
    programme); the count and the page by statements compiled once. The programme is the
    tenant's already: the counts leave out the tenant filter, which would make the database
    read the tenant's signals instead of the round's."""
    programme_mark = compiled.mark(0)

    def build():
        return (
            rounds_walked(programme=Programme(pk=programme_mark))
            .annotate(
                n_walkers=count_per_round(Round.walkers.through.objects.all()),
                n_signals=count_per_round(Signal._base_manager.all()),
            )
            .values_list(*_ROUND_FIELDS, "n_walkers", "n_signals")
        )

    def convert(rows) -> list[Round]:
        # `_ROUND_FIELDS` are in the order of the model's fields, as `from_db` takes them.
        out = []
        for row in rows:
            round_ = Round.from_db("default", _ROUND_FIELDS, row[:-2])
            round_.n_walkers, round_.n_signals = row[-2], row[-1]
            out.append(round_)
        return out

    return compiled.paginate(
        request,
        ("rounds_walked",),
        build,
        {programme_mark: programme.pk},
        convert=convert,
        # A bare count of the programme's rounds, from the index on the programme alone.
        counted=lambda: Round._base_manager.filter(programme_id=programme_mark),
    )


def recent_conversations(*, programme: Programme, limit: int = 20) -> list[tuple]:
    """The programme's conversations with residents, newest first, as (reported at, topic,
    outcome, aggression, reporter's name, reporter's e-mail address) rows. Compiled once."""
    programme_mark = compiled.mark(0)

    def build():
        return (
            Conversation.objects.filter(programme_id=programme_mark)
            .order_by("-reported_at")
            .values_list(
                "reported_at",
                "topic",
                "outcome",
                "aggression",
                "reported_by__name",
                "reported_by__email",
            )[:limit]
        )

    return compiled.rows(("recent_conversations", limit), build, {programme_mark: programme.pk})


def signal_counts_by_status(*, programme: Programme) -> list[dict]:
    """How many of the programme's signals stand in each status, as {status label, n}."""
    # The programme is the tenant's already; the plain manager leaves out the tenant filter,
    # which made SQLite count through the tenant's index instead of the programme's.
    programme_mark = compiled.mark(0)
    rows = compiled.rows(
        ("signal_counts_by_status",),
        lambda: (
            Signal._base_manager.filter(programme_id=programme_mark)
            .values("status")
            .annotate(n=Count("*"))  # COUNT(*): a third less than counting a column
            .order_by("status")
        ),
        {programme_mark: programme.pk},
    )
    return [{"status": Status(status).label, "n": n} for status, n in rows]


def categories_of(*, programme: Programme) -> QuerySet[SignalCategory]:
    """All the programme's categories, in use or not, grouped under their parent."""
    return (
        SignalCategory.objects.filter(programme=programme)
        .select_related("parent")
        .order_by("parent__position", "parent__name", "position", "name")
    )


def parent_categories(*, programme: Programme) -> QuerySet[SignalCategory]:
    """The programme's top-level categories (what a new category may go under)."""
    return SignalCategory.objects.filter(programme=programme, parent__isnull=True)


def find_category(*, programme: Programme, pk, parent: bool = False) -> SignalCategory | None:
    """A category of the programme (with `parent`, a top-level one), or None for an id that
    names none of them."""
    qs = parent_categories(programme=programme) if parent else categories_of(programme=programme)
    return qs.filter(pk=pk).first()


def effort_rule_of(*, programme: Programme) -> EffortRule | None:
    """The programme's effort obligation and reward, None before one is set; kept on
    `programme` too, so `programme.effort_rule` (which the effort figures read) asks no more."""
    found = compiled.rows(("effort_rule",), _effort_rule_query, {compiled.mark(0): programme.pk})
    rule = EffortRule.from_db("default", _RULE_FIELDS, found[0]) if found else None
    Programme.effort_rule.related.set_cached_value(programme, rule)
    return rule


_RULE_FIELDS = [f.attname for f in EffortRule._meta.concrete_fields]


def _effort_rule_query():
    return (
        EffortRule.objects.filter(programme_id=compiled.mark(0))
        .order_by("pk")
        .values_list(*_RULE_FIELDS)[:1]
    )


def rewards_handed(*, programme: Programme, month: dt.date) -> set[int]:
    """The ids of the accounts whose reward for `month` (its first day) was handed out."""
    programme_mark, month_mark = compiled.mark(0), compiled.day_mark(0)
    return {
        user_id
        for (user_id,) in compiled.rows(
            ("rewards_handed",),
            lambda: RewardHandout.objects.filter(
                programme_id=programme_mark, month=month_mark
            ).values_list("user_id"),
            {programme_mark: programme.pk, month_mark: month},
        )
    }


def signals_by_category(*, programme: Programme, year: int, month: int) -> list[dict]:
    """The programme's signals of a month per category, most first, with how many are open;
    the month is a range on the stored time (local month start to the next), not a per-row
    conversion of every signal's date."""
    start = timezone.make_aware(dt.datetime(year, month, 1))
    end = timezone.make_aware(dt.datetime(year + month // 12, month % 12 + 1, 1))
    programme_mark, start_mark, end_mark = (
        compiled.mark(0),
        compiled.moment_mark(0),
        compiled.moment_mark(1),
    )

    def build():
        return (
            Signal.objects.filter(
                programme_id=programme_mark, reported_at__gte=start_mark, reported_at__lt=end_mark
            )
            .values("category__name")
            .annotate(
                n=Count("*"),
                open=Count("id", filter=~Q(status__in=[Status.RESOLVED, Status.NOT_APPLICABLE])),
            )
            .order_by("-n")
        )

    return [
        {"category__name": name, "n": n, "open": n_open}
        for name, n, n_open in compiled.rows(
            ("signals_by_category",),
            build,
            {programme_mark: programme.pk, start_mark: start, end_mark: end},
        )
    ]


class RosterRow(NamedTuple):
    """A roster row as the effort page reads it: the member's roster row's id, their user (id,
    name, role and e-mail address loaded) and since when they share their contact details."""

    pk: int
    user_id: int
    contact_shared_at: dt.datetime | None
    user: User


def effort_roster_page(*, request, programme: Programme):
    """The page (`?page=`) of the programme's active roster the effort page shows, by name:
    each row with its user's name, role and e-mail address (what a row shows), nothing else
    loaded; the count and the rows by statements compiled once."""
    programme_mark, client_mark = compiled.mark(0), compiled.mark(1)

    def members_of_programme():
        return roster(programme=Programme(pk=programme_mark))

    def build():
        # Read from the users' side, along their index on (organisation, name), each checked
        # for a place on the roster: sorting the roster by a joined name sorted every member
        # (1 ms at 5,000) where this stops after a page. A member's account is always the
        # programme client's (`team_member_add`); a user is on a roster once at most.
        member = TeamMember.objects.filter(
            user=OuterRef("pk"), programme_id=programme_mark, is_active=True
        ).order_by()
        return (
            User.objects.filter(Exists(member), organisation_id=client_mark)
            .annotate(
                member_pk=Subquery(member.values("pk")[:1]),
                shared_at=Subquery(member.values("contact_shared_at")[:1]),
            )
            .order_by("name", "pk")
            .values_list("member_pk", "pk", "shared_at", "name", "role", "email")
        )

    def members(rows) -> list[RosterRow]:
        return [
            RosterRow(
                pk,
                user_id,
                shared_at,
                compiled.loaded(User, {"id": user_id, "name": name, "role": role, "email": email}),
            )
            for pk, user_id, shared_at, name, role, email in rows
        ]

    return compiled.paginate(
        request,
        ("effort_roster",),
        build,
        {programme_mark: programme.pk, client_mark: programme.organisation_id},
        convert=members,
        counted=members_of_programme,
    )
