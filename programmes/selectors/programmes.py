"""Reads of programmes and what hangs under them (plan, intake, meetings, documents), taking
the acting user or an already access-checked programme.

Fetching by a URL id goes through `get_<thing>_for(...)`, which answers 404 both for "missing"
and for "not yours", so an outsider cannot tell the two apart.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, RowNumber
from django.http import Http404
from django.utils import timezone

from .. import registry, statements
from ..models import (
    PHASE_ORDER,
    PROGRESS_PHASE,
    Document,
    Goal,
    Invitee,
    Meeting,
    Milestone,
    Partner,
    Phase,
    Programme,
    ProgressEvent,
    TemplateMilestone,
    User,
)
from ..models.documents import PLAN_OF_APPROACH
from ..permissions import Perm, Role, has_perm
from ..statements import date_mark, datetime_mark, id_mark, text_mark
from .accounts import organisation_ids_for


def programmes_for(*, user) -> QuerySet[Programme]:
    """Programmes `user` may see within the active scope: a project leader those they lead,
    client staff their organisation's, a consultancy admin all of the consultancy's."""
    qs = Programme.objects.select_related("organisation")
    if user.role == Role.PROJECT_LEADER:
        return qs.filter(project_leaders=user)
    if user.role in (Role.CLIENT_STAFF, Role.TEAM_MEMBER):
        return qs.filter(organisation_id=user.organisation_id)
    return qs


# What a row of the workspace shows of a programme.
WORKSPACE_ROW_FIELDS = (
    "pk",
    "name",
    "neighbourhood",
    "municipality",
    "organisation__slug",
    "organisation__name",
)


def workspace_programmes_for(*, user, q: str = "", client_slug: str = "", phase: str = ""):
    """The workspace's list: the programmes `user` may see by client and name, as rows (dicts)
    of `WORKSPACE_ROW_FIELDS`; `q` searches name, neighbourhood and municipality, `client_slug`
    keeps one client's, `phase` (a `Phase` value) those whose current phase it is, worked out
    in SQL so the list can be paginated. Its count and pages are statements compiled once per
    role and filters used (`programmes.statements`); the phase filter, which depends on
    today's date in many places, is the ORM's own."""
    organisations = organisation_ids_for(user=user)
    if phase in Phase.values or user.organisation_id is None or not organisations:
        return _workspace_queryset(user=user, q=q, client_slug=client_slug, phase=phase)
    role = user.role
    user_mark, organisation_mark, q_mark, client_mark = id_mark(0), id_mark(1), *_TEXT_MARKS
    # Each organisation's programmes come in name order from the (organisation, name) index
    # and are merged (`statements.per_organisation`), rather than every programme sorted for
    # a page of them.
    marks = [id_mark(100 + i) for i in range(len(organisations))]

    def filtered():
        stand_in = User(pk=user_mark, role=role, organisation_id=organisation_mark)
        return _workspace_filtered(
            user=stand_in, q=q_mark if q else "", client_slug=client_mark if client_slug else ""
        )

    def build():
        return statements.per_organisation(
            lambda ids: filtered().filter(organisation_id__in=ids),
            marks,
            WORKSPACE_ROW_FIELDS,
            WORKSPACE_ORDER,
        )

    return statements.CompiledRows(
        ("workspace", role, bool(q), bool(client_slug), len(marks), statements.MERGE_LIMIT),
        build,
        {
            user_mark: user.pk,
            organisation_mark: user.organisation_id,
            q_mark: q,
            client_mark: client_slug,
            **dict(zip(marks, organisations, strict=True)),
        },
        names=WORKSPACE_ROW_FIELDS,
        using=Programme.objects.db,
        scoped=True,
        counted=lambda: filtered().values("pk"),
    )


_TEXT_MARKS = (text_mark(0), text_mark(1))
WORKSPACE_ORDER = ("organisation__name", "name", "pk")


def _workspace_filtered(*, user, q: str = "", client_slug: str = ""):
    qs = programmes_for(user=user)
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(neighbourhood__icontains=q) | Q(municipality__icontains=q)
        )
    if client_slug:
        qs = qs.filter(organisation__slug=client_slug)
    return qs


def _workspace_queryset(*, user, q: str = "", client_slug: str = "", phase: str = ""):
    qs = _workspace_filtered(user=user, q=q, client_slug=client_slug).order_by(*WORKSPACE_ORDER)
    if phase in Phase.values:
        qs = with_plan_status(qs).filter(plan_phase_rank=PHASE_ORDER[phase])
    return qs.values(*WORKSPACE_ROW_FIELDS)


def readable_programmes(*, user, organisation) -> QuerySet[Programme]:
    """The programmes of `organisation` that `user` may read: the one answer for the workspace
    and the portal alike (a project leader reads the programmes they lead, not every
    programme of a client they are assigned to)."""
    return programmes_for(user=user).filter(organisation=organisation)


def reads_every_programme(*, user, organisation) -> bool:
    """Whether `user` may read every programme of `organisation` (a consultancy admin, and
    the client's own people), so a list of the client's rows needs no narrowing."""
    if user.role == Role.CONSULTANCY_ADMIN:
        return True
    return (
        user.role in (Role.CLIENT_STAFF, Role.TEAM_MEMBER)
        and user.organisation_id == organisation.pk
    )


def of_readable_programmes(qs: QuerySet, *, user, organisation, field: str = "programme"):
    """`qs` (rows of `organisation` that belong to a programme through `field`) narrowed to
    the programmes `user` may read; unchanged for a user who reads them all, so the client's
    own large lists keep their plain, indexed query."""
    if reads_every_programme(user=user, organisation=organisation):
        return qs
    return qs.filter(
        **{f"{field}__in": readable_programmes(user=user, organisation=organisation).values("pk")}
    )


def client_programmes_for(*, user, client) -> list[Programme]:
    """The programmes of `client` that `user` may see."""
    return list(readable_programmes(user=user, organisation=client))


def get_programme_for(*, user, pk: int, organisation=None) -> Programme:
    """The programme with this id if `user` may see it (and it belongs to `organisation` when
    given); 404 otherwise."""
    qs = programmes_for(user=user)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    found = qs.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def may_manage_programme(*, user, programme: Programme) -> bool:
    """Whether `user` is logged in and may manage `programme` (its project leader, or a
    consultancy admin): such a user is not held to the limits of its public pages."""
    if not has_perm(user, Perm.PROGRAMME_MANAGE):
        return False
    return programmes_for(user=user).filter(pk=programme.pk).exists()


# --- Intake, plan and progress ----------------------------------------------------------


def goals_of(*, programme: Programme) -> QuerySet[Goal]:
    """The goals set at the intake."""
    return programme.goals.all()


def partners_of(*, programme: Programme) -> QuerySet[Partner]:
    """The partners named at the intake."""
    return programme.partners.all()


def leaders_of(*, programme: Programme) -> QuerySet[User]:
    """The programme's project leaders."""
    return programme.project_leaders.all()


def client_contacts_of(*, programme: Programme) -> QuerySet[User]:
    """The client's contact people for the programme."""
    return programme.client_contacts.all()


def milestones_of(*, programme: Programme, with_owner: bool = False) -> list[Milestone]:
    """The plan of approach: every milestone in plan order (with its owner when asked)."""
    qs = programme.milestones.all()
    if with_owner:
        qs = qs.select_related("owner")
    return list(qs)


def milestone_by_key(*, programme: Programme, key: str) -> Milestone | None:
    """The milestone the plan template marked with `key` (a `Progress` value), if any."""
    return programme.milestones.filter(key=key).first()


def get_milestone_for(*, programme: Programme, pk: int) -> Milestone:
    """The milestone with this id in `programme`; 404 otherwise."""
    found = programme.milestones.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def plan_template_rows(*, consultancy) -> QuerySet[TemplateMilestone]:
    """The rows of the consultancy's plan template, in template order."""
    return TemplateMilestone.objects.filter(organisation=consultancy)


@dataclass
class PlanStatus:
    total: int = 0
    done: int = 0
    overdue: int = 0
    phase: str = Phase.PREPARATION
    next_meeting: Meeting | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def phase_label(self) -> str:
        return Phase(self.phase).label


def plan_status(milestones, events=()) -> PlanStatus:
    """Progress, overdue count and current phase from an iterable of milestones (or rows with
    phase, done_at and due_date) and the programme's recorded progress events (`Progress`
    values): the current phase is the earliest with open milestones, but never before the
    phase that what already happened puts the programme in (a selected team is in training
    even when nobody ticked the recruitment milestones)."""
    today = timezone.localdate()
    status = PlanStatus()
    open_phases = []
    for m in milestones:
        status.total += 1
        if m.done_at:
            status.done += 1
        else:
            open_phases.append(m.phase)
            if m.due_date < today:
                status.overdue += 1
    status.phase = _current_phase(status.total, open_phases, events)
    return status


def _current_phase(total: int, open_phases, events) -> str:
    """The earliest phase with open milestones (the last phase when all are done, the first
    when there are none), moved on to what the progress events reached."""
    phase = Phase.PREPARATION
    if open_phases:
        phase = min(open_phases, key=PHASE_ORDER.__getitem__)
    elif total:
        phase = Phase.GUIDANCE
    floors = [PROGRESS_PHASE[e] for e in events if e in PROGRESS_PHASE]
    if floors:
        floor = max(floors, key=PHASE_ORDER.__getitem__)
        if PHASE_ORDER[floor] > PHASE_ORDER[phase]:
            phase = floor
    return phase


def programme_status(programme: Programme, milestones=None) -> PlanStatus:
    """`plan_status` of one programme, from its milestones and its recorded progress."""
    if milestones is None:
        milestones = programme.milestones.only("phase", "done_at", "due_date")
    events = programme.progress_events.values_list("event", flat=True)
    return plan_status(milestones, list(events))


def _phase_rank(field: str, ranks: dict) -> Case:
    """SQL for the order (`PHASE_ORDER`) of the phase that `field` maps to through `ranks`;
    0 (the first phase) for a value not in it."""
    return Case(
        *(When(**{field: value}, then=Value(rank)) for value, rank in ranks.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


def _per_programme(qs, aggregate):
    """A correlated subquery: `aggregate` over the rows of `qs` of the outer programme."""
    return Subquery(
        qs.filter(programme=OuterRef("pk"))
        .order_by()
        .values("programme")
        .annotate(value=aggregate)
        .values("value")[:1],
        output_field=IntegerField(),
    )


def with_plan_status(qs: QuerySet[Programme]) -> QuerySet[Programme]:
    """`qs` annotated with what `plan_status` works out in Python, computed by the database:
    `plan_total`, `plan_done`, `plan_overdue` and `plan_phase_rank` (the index of the current
    phase in `PHASE_ORDER`: the earliest phase with open milestones, the last one when all are
    done, the first when there are none, but never before what the progress events reached)."""
    today = timezone.localdate()
    # The subqueries are tied to the outer programme, which the scope already narrows; the
    # plain manager leaves out the tenant filter that would make SQLite read every milestone
    # of the tenant for each programme instead of using the programme's index.
    milestones = Milestone._base_manager.all()
    open_milestones = milestones.filter(done_at__isnull=True)
    floors = {event: PHASE_ORDER[phase] for event, phase in PROGRESS_PHASE.items()}
    return qs.annotate(
        plan_total=Coalesce(_per_programme(milestones, Count("pk")), 0),
        plan_done=Coalesce(
            _per_programme(milestones.filter(done_at__isnull=False), Count("pk")), 0
        ),
        plan_overdue=Coalesce(
            _per_programme(open_milestones.filter(due_date__lt=today), Count("pk")), 0
        ),
        plan_open_rank=_per_programme(open_milestones, Min(_phase_rank("phase", PHASE_ORDER))),
        plan_floor_rank=_per_programme(
            ProgressEvent._base_manager.all(), Max(_phase_rank("event", floors))
        ),
    ).annotate(
        plan_phase_rank=Greatest(
            Coalesce(
                "plan_open_rank",
                Case(
                    When(plan_total__gt=0, then=Value(PHASE_ORDER[Phase.GUIDANCE])),
                    default=Value(PHASE_ORDER[Phase.PREPARATION]),
                ),
            ),
            Coalesce("plan_floor_rank", Value(0)),
        )
    )


def programme_overview(programmes) -> dict[int, PlanStatus]:
    """Plan status and next meeting for many programmes (a page of them, as programmes or as
    rows with a "pk") in three queries, not several per row: the database counts the
    milestones per programme and phase (at most one row per phase), so no milestone is loaded
    into Python; the phase is worked out from those counts as `plan_status` does.
    (`with_plan_status` does it all in SQL, for filtering; its expressions cost more to build
    than this page needs.)"""
    ids = [p["pk"] if isinstance(p, dict) else p.pk for p in programmes]
    if not ids:
        return {}
    today = timezone.localdate()
    result = {pk: PlanStatus() for pk in ids}
    open_phases = defaultdict(list)
    # Each statement is compiled once per number of programmes (a page has at most 50) and
    # tenant scope, with marks for the ids, today and now (see `programmes.statements`).
    marks = [id_mark(i) for i in range(len(ids))]
    today_mark, now_mark = date_mark(0), datetime_mark(0)
    values = dict(zip(marks, ids, strict=True))
    values[today_mark] = today
    values[now_mark] = timezone.now()
    n = len(ids)
    using = Programme.objects.db
    for pk, phase, total, done, overdue in statements.rows(
        ("overview_counts", n),
        lambda: _milestone_counts(marks, today_mark),
        values,
        using,
        scoped=True,
    ):
        if not total:
            continue
        status = result[pk]
        status.total += total
        status.done += done
        status.overdue += overdue
        if done < total:
            open_phases[pk].append(phase)
    events = defaultdict(list)
    for programme_id, event in statements.rows(
        ("overview_events", n),
        lambda: ProgressEvent.objects.filter(programme_id__in=marks).values_list(
            "programme_id", "event"
        ),
        values,
        using,
        scoped=True,
    ):
        events[programme_id].append(event)
    for pk, status in result.items():
        status.phase = _current_phase(status.total, open_phases[pk], events[pk])
    for row in statements.rows(
        ("overview_meetings", n),
        lambda: _next_meetings(marks, now_mark),
        values,
        using,
        scoped=True,
    ):
        meeting = Meeting.from_db(using, _MEETING_FIELDS, row)
        result[meeting.programme_id].next_meeting = meeting
    return result


def _milestone_counts(ids, today):
    """(programme, phase, total, done, overdue) of the milestones of these programmes."""
    # Joined from the programmes, so the milestones are found through their programme's index
    # (a query on the milestones themselves carries the tenant filter, which SQLite answers by
    # reading every milestone of the tenant).
    return (
        Programme.objects.filter(pk__in=ids)
        .values_list("pk", "milestones__phase")
        .annotate(
            total=Count("milestones"),
            done=Count("milestones", filter=Q(milestones__done_at__isnull=False)),
            overdue=Count(
                "milestones",
                filter=Q(milestones__done_at__isnull=True, milestones__due_date__lt=today),
            ),
        )
        .order_by()
    )


_MEETING_FIELDS = ["id", "programme_id", "title", "starts_at"]


def _next_meetings(ids, now):
    """Only each programme's first upcoming meeting, however many are planned."""
    first = Window(RowNumber(), partition_by="programme_id", order_by=("starts_at", "id"))
    return (
        Meeting.objects.filter(programme_id__in=ids, starts_at__gte=now)
        .annotate(n=first)
        .filter(n=1)
        .values_list(*_MEETING_FIELDS)
    )


# --- Meetings and documents -------------------------------------------------------------


def meetings_for_programme(*, programme: Programme, upcoming_only: bool = False):
    """The programme's meetings by start, each with its counts of accepted, guests, waiting
    and invited; only those not yet over when `upcoming_only`."""
    qs = programme.meetings.select_related("organisation").annotate(
        n_accepted=Count("invitees", filter=Q(invitees__status="accepted")),
        n_guests=Sum("invitees__guests", filter=Q(invitees__status="accepted")),
        n_waiting=Count("invitees", filter=Q(invitees__status="waitlisted")),
        n_invited=Count("invitees"),
    )
    if upcoming_only:
        qs = qs.filter(ends_at__gte=timezone.now())
    return qs.order_by("starts_at")


def get_meeting_for(*, programme: Programme, pk: int) -> Meeting:
    """The meeting with this id in `programme`; 404 otherwise."""
    found = programme.meetings.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def invitees_in_order(*, meeting: Meeting) -> QuerySet[Invitee]:
    """The invitees of `meeting` in the order of its page (status, place on the waiting list,
    name), along their index: a meeting may have a thousand, shown a page at a time."""
    return meeting.invitees.order_by("status", "waitlisted_at", "name", "pk")


def invitee_counts(*, meeting: Meeting) -> dict:
    """The seats taken (who come and their guests) and how many wait for a place, counted
    by the database."""
    accepted, waiting = Q(status=Invitee.Status.ACCEPTED), Q(status=Invitee.Status.WAITLISTED)
    found = meeting.invitees.aggregate(
        taken=Coalesce(Sum(F("guests") + 1, filter=accepted), 0),
        waiting=Count("pk", filter=waiting),
    )
    return {"taken": found["taken"], "waiting": found["waiting"]}


def get_invitee_for(*, meeting: Meeting, pk: int) -> Invitee:
    """The invitee with this id of `meeting`; 404 otherwise."""
    found = meeting.invitees.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def latest_plan_document(*, programme: Programme) -> Document | None:
    """The newest plan-of-approach document of `programme`, if one was asked for."""
    return programme.documents.filter(kind=PLAN_OF_APPROACH).first()


def get_document_for(*, programme: Programme, pk: int, user=None) -> Document:
    """The document with this id of `programme`; 404 otherwise. With `user` from the
    client's side, a document its kind keeps from the client (`DocumentKind.client_visible`:
    a periodic report not yet sent) is a 404 too, as on the client's documents page."""
    found = programme.documents.filter(pk=pk).first()
    if found is None:
        raise Http404
    if user is not None and not user.is_consultancy_staff:
        kind = next((k for k in registry.document_kinds() if k.code == found.kind), None)
        hidden = kind is not None and kind.client_visible is not None
        if hidden and not programme.documents.filter(kind.client_visible(), pk=pk).exists():
            raise Http404
    return found
