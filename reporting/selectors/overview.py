"""Reads of the consultancy's overview across clients: the programmes a user may see by phase,
and the health flags that ask for action, each worked out by the database.

Every flag is an annotation of the programme query (a correlated subquery served by an index
of its table), so filtering, counting and ordering by them is SQL, whatever the number of
programmes: no row is loaded into Python to be judged. The thresholds are constants here,
each with its reason, and the page says them in words.

Which programmes: those of `programmes_for(user)` within the request's scope (the
organisations the user may see), as the workspace lists them: a project leader those they
lead, a consultancy admin all of the consultancy's.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrols.models import Round, Signal
from patrols.workflow import CLOSED
from programmes.models import PHASE_ORDER, PROGRESS_PHASE, Milestone, Phase, ProgressEvent
from programmes.selectors import programmes_for
from programmes.selectors.programmes import with_plan_status
from recruitment.models import Application, ApplicationEvent
from recruitment.workflow import Stage

# A team walks rounds from its introduction in the neighbourhood on (the kickoff installs it):
# the round flags (no round lately, few active members) apply from that phase, so a team
# still being recruited or trained is not flagged for what it cannot do yet.
WALKING_FROM = PHASE_ORDER[Phase.INTRODUCTION]
# A team that walks weekly has missed two rounds in a row: time for the project leader to ask.
NO_ROUND_DAYS = 14
# Active: walked at least one round in this window (a month, the span of the effort
# obligation and the reward).
ACTIVE_DAYS = 30
# Rounds are walked in pairs, never alone (`DEFAULT_MIN_WALKERS`): with fewer than two pairs
# active, one person away stops the rounds, so the team needs new members or a talk.
MIN_ACTIVE_MEMBERS = 4
# The client decides on a proposed candidate; after a week of waiting the candidate may lose
# interest and the training cannot be planned, so the project leader should remind the client.
CANDIDATE_WAIT_DAYS = 7


@dataclass(frozen=True)
class Flag:
    """One health flag: its code (the filter's value) and its name for people."""

    code: str
    label: object


NO_ROUNDS = "no_rounds"
MILESTONES_OVERDUE = "milestones_overdue"
SIGNALS_OVERDUE = "signals_overdue"
FEW_ACTIVE = "few_active"
CANDIDATES_WAITING = "candidates_waiting"

FLAGS = (
    Flag(SIGNALS_OVERDUE, _("Signals overdue at the client")),
    Flag(NO_ROUNDS, _("No round walked in two weeks")),
    Flag(FEW_ACTIVE, _("Few active members")),
    Flag(MILESTONES_OVERDUE, _("Milestones overdue")),
    Flag(CANDIDATES_WAITING, _("Candidates waiting for the client")),
)
FLAG_CODES = tuple(flag.code for flag in FLAGS)

# What a row of the overview holds (besides the flags' figures).
ROW_FIELDS = (
    "pk",
    "name",
    "neighbourhood",
    "municipality",
    "organisation__slug",
    "organisation__name",
    "plan_phase_rank",
    "plan_overdue",
    "last_round_at",
    "signals_overdue",
    "active_members",
    "candidates_waiting",
    *(f"up_{code}" for code in FLAG_CODES),
)


def _count(qs, output_field=None):
    """A correlated subquery counting the rows of `qs` (already tied to the outer programme),
    0 when there are none."""
    return Coalesce(
        Subquery(
            qs.order_by().values("programme").annotate(n=Count("pk")).values("n")[:1],
            output_field=output_field or IntegerField(),
        ),
        0,
    )


def flag_conditions(*, now=None) -> dict[str, Q]:
    """Each flag as a condition on the annotations of `with_health`."""
    now = now or timezone.now()
    walking = Q(is_walking=True)
    return {
        SIGNALS_OVERDUE: Q(signals_overdue__gt=0),
        NO_ROUNDS: walking
        & (
            Q(last_round_at__isnull=True) | Q(last_round_at__lt=now - timedelta(days=NO_ROUND_DAYS))
        ),
        FEW_ACTIVE: walking & Q(active_members__lt=MIN_ACTIVE_MEMBERS),
        MILESTONES_OVERDUE: Q(plan_overdue__gt=0),
        CANDIDATES_WAITING: Q(candidates_waiting__gt=0),
    }


def with_health(qs: QuerySet, *, now=None) -> QuerySet:
    """`qs` (programmes) annotated with their plan status (`with_plan_status`: phase rank and
    overdue milestones) and the figures behind the flags: `last_round_at`, `signals_overdue`
    (open signals past their date), `active_members` (who walked a round in the last
    ACTIVE_DAYS), `candidates_waiting` (proposed longer than CANDIDATE_WAIT_DAYS ago),
    and per flag `up_<code>`: 1 when it is up, else 0.

    The subqueries are tied to the outer programme (which the scope narrowed) and use the
    plain managers, as `with_plan_status` does; each follows an index: rounds by programme
    and start (round_programme_newest), signals by programme and status, applications by
    programme (their programme's key)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    programme = OuterRef("pk")
    rounds = Round._base_manager.filter(programme=programme)
    walks = Round.walkers.through.objects.filter(
        round__programme=programme, round__started_at__gte=now - timedelta(days=ACTIVE_DAYS)
    )
    # Open signals of the programme past their date. Said as "not closed" on purpose: with
    # `status__in=OPEN_STATUSES` PostgreSQL picks the partial index of every tenant's open
    # signals by date (signal_open_due, for the sweeps) and reads all overdue ones for each
    # programme (2.8 s at 5,000 programmes); this way it reads the programme's own signals
    # from the (programme, status, reported_at) index.
    signals = Signal._base_manager.filter(programme=programme, due_date__lt=today).exclude(
        status__in=CLOSED
    )
    waiting_since = now - timedelta(days=CANDIDATE_WAIT_DAYS)
    proposed_lately = ApplicationEvent._base_manager.filter(
        application=OuterRef("pk"), to_stage=Stage.PROPOSED, created_at__gte=waiting_since
    )
    candidates = Application._base_manager.filter(
        programme=programme,
        stage=Stage.PROPOSED,
        merged_into__isnull=True,
        created_at__lt=waiting_since,
    ).filter(~Exists(proposed_lately))
    # Whether the programme is at least in its introduction: `plan_phase_rank >= WALKING_FROM`
    # said without the rank's expression (which Django would build and compile again for each
    # flag that uses it): a progress event that puts it there, or a plan with no open
    # milestone of an earlier phase.
    milestones = Milestone._base_manager.filter(programme=programme)
    early = [phase for phase, rank in PHASE_ORDER.items() if rank < WALKING_FROM]
    walking_events = [
        event for event, phase in PROGRESS_PHASE.items() if PHASE_ORDER[phase] >= WALKING_FROM
    ]
    is_walking = Exists(
        ProgressEvent._base_manager.filter(programme=programme, event__in=walking_events)
    ) | (Exists(milestones) & ~Exists(milestones.filter(done_at__isnull=True, phase__in=early)))
    qs = with_plan_status(qs).annotate(
        is_walking=ExpressionWrapper(is_walking, output_field=BooleanField()),
        last_round_at=Subquery(rounds.order_by("-started_at", "-id").values("started_at")[:1]),
        signals_overdue=_count(signals),
        active_members=Coalesce(
            Subquery(
                walks.order_by()
                .values("round__programme")
                .annotate(n=Count("user", distinct=True))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        ),
        candidates_waiting=_count(candidates),
    )
    return qs.annotate(
        **{
            f"up_{code}": Case(
                When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
            for code, condition in flag_conditions(now=now).items()
        }
    )


def _health_of(*, user, client_slug: str, now) -> QuerySet:
    """The programmes `user` may see (of one client when `client_slug`) with `with_health`'s
    annotations: built once and shared by the list and the summary, since building and
    compiling the expressions costs more than the database's work at a few thousand rows."""
    qs = programmes_for(user=user)
    if client_slug:
        qs = qs.filter(organisation__slug=client_slug)
    return with_health(qs, now=now)


def _rows(health: QuerySet, *, phase: str, flag: str) -> QuerySet:
    if phase in PHASE_ORDER:
        health = health.filter(plan_phase_rank=PHASE_ORDER[phase])
    if flag in FLAG_CODES:
        health = health.filter(**{f"up_{flag}": 1})
    # The flags in their order of urgency, each a selected column the ORDER BY names by its
    # place (a sum of them would be built and compiled again, which cost more than the rest).
    urgency = [f"-up_{code}" for code in FLAG_CODES]
    return health.values(*ROW_FIELDS).order_by(*urgency, "organisation__name", "name", "pk")


def _summary(health: QuerySet) -> dict:
    ranks = dict(
        health.order_by()
        .values_list("plan_phase_rank")
        .annotate(n=Count("pk"))
        .values_list("plan_phase_rank", "n")
    )
    phases = {value: ranks.get(rank, 0) for value, rank in PHASE_ORDER.items()}
    # Summed from the `up_<code>` annotations, which the aggregate's inner query selects; a
    # filtered COUNT that names the annotations it was built on lost them from the inner query
    # (SQLite then read each name as a string and counted every row).
    flags = health.aggregate(**{code: Coalesce(Sum(f"up_{code}"), 0) for code in FLAG_CODES})
    return {"phases": phases, "flags": flags, "total": sum(phases.values())}


def overview_for(
    *, user, client_slug: str = "", phase: str = "", flag: str = "", now=None
) -> tuple[QuerySet, dict]:
    """The overview's list and its summary, from one annotated query (see
    `overview_programmes_for` and `overview_summary_for`)."""
    now = now or timezone.now()
    health = _health_of(user=user, client_slug=client_slug, now=now)
    return _rows(health, phase=phase, flag=flag), _summary(health)


def overview_programmes_for(
    *, user, client_slug: str = "", phase: str = "", flag: str = "", now=None
) -> QuerySet:
    """The overview's list: the programmes `user` may see as rows (dicts of ROW_FIELDS), those
    with the most urgent flags up first (in the order of FLAGS), then by client and name.
    `client_slug`, `phase` (a `Phase` value) and `flag` (a FLAG_CODES value) narrow it; values
    that are none of those are the view's to refuse, here they are ignored."""
    now = now or timezone.now()
    health = _health_of(user=user, client_slug=client_slug, now=now)
    return _rows(health, phase=phase, flag=flag)


def overview_summary_for(*, user, client_slug: str = "", now=None) -> dict:
    """The summary above the list, over the programmes `user` may see (of one client when
    `client_slug`): {"phases": {phase value: count}, "flags": {flag code: count},
    "total": count}, in two aggregate queries."""
    now = now or timezone.now()
    return _summary(_health_of(user=user, client_slug=client_slug, now=now))
