"""Reads of the project leader's patrol pages of a programme: slots, rounds, conversations,
categories, the effort rule and rewards."""

import datetime as dt

from django.db.models import (
    Count,
    Q,
    QuerySet,
)
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


def planned_slots(*, programme: Programme, limit: int = 20) -> QuerySet[RoundSlot]:
    """The programme's scheduled rounds still to come, soonest first, with their sign-ups."""
    return (
        RoundSlot.objects.filter(programme=programme, starts_at__gte=timezone.now())
        .only("starts_at", "meeting_point", "area", "min_walkers")
        .annotate(n_signups=Count("signups"))
        .order_by("starts_at")[:limit]
    )


def rounds_walked(*, programme: Programme) -> QuerySet[Round]:
    """The programme's rounds, newest first, for paging (the index on programme and start
    answers the order); `with_round_counts` counts the walkers and signals of the page. Only
    what a row shows is loaded."""
    return (
        Round.objects.filter(programme=programme)
        .only("started_at", "ended_at", "min_walkers", "outcome", "remark")
        .order_by("-started_at", "-pk")
    )


def with_round_counts(rounds) -> list[Round]:
    """`rounds` (a page of them) with `n_walkers` and `n_signals` set, from one grouped query
    over just these rounds, instead of a join and GROUP BY over every round of the programme
    (or a subquery per round, which SQLite answers by reading the tenant's signals)."""
    rounds = list(rounds)
    counts = {
        row["pk"]: row
        for row in Round.objects.filter(pk__in=[r.pk for r in rounds])
        .values("pk")
        .annotate(
            n_walkers=Count("walkers", distinct=True), n_signals=Count("signals", distinct=True)
        )
        .order_by()
    }
    for round_ in rounds:
        row = counts.get(round_.pk, {})
        round_.n_walkers = row.get("n_walkers", 0)
        round_.n_signals = row.get("n_signals", 0)
    return rounds


def recent_conversations(*, programme: Programme, limit: int = 20) -> QuerySet[Conversation]:
    """The programme's conversations with residents, newest first."""
    return (
        Conversation.objects.filter(programme=programme)
        .select_related("reported_by")
        .only(
            "reported_at",
            "topic",
            "outcome",
            "aggression",
            "reported_by__name",
            "reported_by__email",
        )
        .order_by("-reported_at")[:limit]
    )


def signal_counts_by_status(*, programme: Programme) -> list[dict]:
    """How many of the programme's signals stand in each status, as {status label, n}."""
    # The programme is the tenant's already; the plain manager leaves out the tenant filter,
    # which made SQLite count through the tenant's index instead of the programme's.
    rows = (
        Signal._base_manager.filter(programme=programme)
        .values("status")
        .annotate(n=Count("id"))
        .order_by("status")
    )
    return [{"status": Status(row["status"]).label, "n": row["n"]} for row in rows]


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
                n=Count("id"),
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


def _loaded(model, values: dict):
    """An instance of `model` with only `values` ({attname: value}) loaded, as `only()` loads
    it (`from_db` takes the values in the order of the model's fields)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db("default", names, [values[name] for name in names])


def effort_roster_page(*, request, programme: Programme):
    """The page (`?page=`) of the programme's active roster the effort page shows, by name:
    each row with its user's name, role and e-mail address (what a row shows), nothing else
    loaded; the count and the rows by statements compiled once."""
    programme_mark = compiled.mark(0)

    def members_of_programme():
        return roster(programme=Programme(pk=programme_mark))

    def build():
        return members_of_programme().values_list(
            "pk", "user_id", "contact_shared_at", "user__name", "user__role", "user__email"
        )

    def members(rows) -> list[TeamMember]:
        out = []
        for pk, user_id, shared_at, name, role, email in rows:
            member = _loaded(
                TeamMember, {"id": pk, "user_id": user_id, "contact_shared_at": shared_at}
            )
            member.user = _loaded(User, {"id": user_id, "name": name, "role": role, "email": email})
            out.append(member)
        return out

    return compiled.paginate(
        request,
        ("effort_roster",),
        build,
        {programme_mark: programme.pk},
        convert=members,
        counted=members_of_programme,
    )
