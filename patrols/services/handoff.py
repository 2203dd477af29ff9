"""Hand-off of signals to the client's own system: the channels and routes a client sets up,
one `Handoff` per signal and channel, and its delivery by the outbox's protocol.

Delivery, as the outbox delivers mail: a hand-off is claimed (waiting -> sending) under its row
lock in a transaction of its own, with the attempt counted, and only when it is due; the
channel is called outside any transaction; the outcome is written under the lock again, but
only while the claim is still ours (the same claim time). A try worth repeating waits with
exponential backoff (its task queued for then); after MAX_ATTEMPTS, or at once for an answer
that will not get better, the hand-off fails: audited, shown on the signal, the client's staff
told (a notification), and the signal stays where it is in the portal's workflow. The periodic
sweep queues what is due and lost its task, and hands back a claim a dead worker left in
"sending" after STALE_AFTER.

A mail desk's hand-off is claimed, queued into the outbox and marked delivered in one
transaction: the outbox delivers it from there, and nothing is queued twice.

Nothing is sent twice: the unique (signal, channel) constraint makes one hand-off per channel,
the claim lets one worker send it, and a webhook carries the hand-off's uuid on every try
(X-BewonersTeam-Delivery) for the one case left, a worker lost after the other side answered.

Delivery bookkeeping (state, attempts, the attempt log) is not audited; the set-up of channels
and routes, a delivery and a permanent failure are.
"""

import logging
import time
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.models import Organisation, Programme, User
from programmes.permissions import Role
from programmes.queueing import enqueue, enqueue_on_commit
from programmes.services.common import apply_changes

from ..handoff import base, inbound, maildesk, open311, secrets, webhook
from ..handoff.notify import (
    department_assigned_notify,
    handoff_channel_failing_notify,
    handoff_failed_notify,
)
from ..handoff.targets import check_email, check_url
from ..models import Signal, SignalCategory
from ..models_handoff import (
    CategoryRoute,
    Department,
    Handoff,
    HandoffAttempt,
    HandoffChannel,
    InboundSignature,
)

logger = logging.getLogger(__name__)

# Tries of one hand-off in all.
MAX_ATTEMPTS = 8
# A claim older than this is a lost worker's: handed back by the sweep. Far longer than a
# webhook may take (3 s to connect, 10 s to answer).
STALE_AFTER = timedelta(minutes=10)
# A due hand-off is queued by the sweep once it has waited this long past its time (its own
# task comes first).
SWEEP_GRACE = timedelta(minutes=1)

SENDERS = {
    HandoffChannel.Kind.MAIL_DESK: maildesk.send,
    HandoffChannel.Kind.WEBHOOK: webhook.send,
    HandoffChannel.Kind.OPEN311: open311.send,
}


def handoff_backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th try: 30 s, 1, 2, 4 ... minutes, at most an hour."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def _task():
    from ..handoff.tasks import handoff_send  # noqa: PLC0415 - the tasks import this module: circular

    return handoff_send


# Set-up by the client's admin ---------------------------------------------------------------


@transaction.atomic
def handoff_channel_create(
    *,
    actor: User,
    organisation: Organisation,
    kind: str,
    name: str,
    target: str,
    api_key: str = "",
    jurisdiction_id: str = "",
) -> tuple[HandoffChannel, str]:
    """Connect a channel; returns it with its secret (a webhook's; "" for the others), which
    is shown this once and stored only encrypted. An Open311 channel takes the API key the
    client's system gave them (stored encrypted the same way, never shown again) and
    optionally its jurisdiction."""
    if kind not in HandoffChannel.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of channel.")})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the channel a name.")})
    try:
        target = check_email(target) if kind == HandoffChannel.Kind.MAIL_DESK else check_url(target)
    except ValidationError as error:
        raise ValidationError({"target": error.messages}) from error
    if HandoffChannel.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise ValidationError({"name": _("There is a channel with this name already.")})
    secret = secrets.new_secret() if kind == HandoffChannel.Kind.WEBHOOK else ""
    stored = secret
    if kind == HandoffChannel.Kind.OPEN311:
        stored = (api_key or "").strip()
        if not stored:
            raise ValidationError({"api_key": _("Give the API key your system gave you.")})
        if len(stored) > 500 or not stored.isprintable():
            raise ValidationError({"api_key": _("This is not an API key.")})
    channel = HandoffChannel(
        organisation=organisation,
        kind=kind,
        name=name,
        target=target,
        secret_encrypted=secrets.encrypt(stored) if stored else "",
        jurisdiction_id=(jurisdiction_id or "").strip()
        if kind == HandoffChannel.Kind.OPEN311
        else "",
        created_by=actor,
    )
    channel.full_clean()
    channel.save()
    audit_log(
        actor=actor,
        organisation=organisation,
        action="handoff_channel.created",
        obj=channel,
        data={"kind": kind, "target": target},
    )
    return channel, secret


@transaction.atomic
def handoff_channel_set_active(*, actor: User, channel: HandoffChannel, active: bool):
    """Switch a channel on or off: off, nothing new goes to it (what waits fails no more:
    it is sent once the channel is on again, or stays waiting)."""
    changed = apply_changes(channel, {"is_active": bool(active)}, allowed=("is_active",))
    if changed:
        channel.save(update_fields=changed)
        _routes_changed(channel.organisation_id)
        audit_log(
            actor=actor,
            organisation=channel.organisation,
            action="handoff_channel.activated" if active else "handoff_channel.deactivated",
            obj=channel,
        )
    return channel


@transaction.atomic
def handoff_channel_map_statuses(
    *, actor: User, channel: HandoffChannel, mapping: dict[str, list[str]]
) -> HandoffChannel:
    """Set which of the client's own statuses mean which of ours, on top of the defaults:
    `mapping` is {our status: [their statuses]}. A status of theirs means one of ours."""
    status_map: dict[str, str] = {}
    for ours, words in mapping.items():
        if ours not in inbound.MAPPED_STATUSES:
            raise ValidationError({ours: _("Choose one of the statuses listed.")})
        for word in words:
            key = inbound.normal(word)[:50]
            if not key:
                continue
            if status_map.get(key, ours) != ours:
                raise ValidationError(
                    {ours: _("“%(word)s” can mean one status only.") % {"word": word}}
                )
            status_map[key] = ours
    changed = apply_changes(channel, {"status_map": status_map}, allowed=("status_map",))
    if changed:
        channel.save(update_fields=changed)
        audit_log(
            actor=actor,
            organisation=channel.organisation,
            action="handoff_channel.statuses_mapped",
            obj=channel,
            data={"status_map": status_map},
        )
    return channel


@transaction.atomic
def category_route_create(
    *,
    actor: User,
    channel: HandoffChannel,
    programme: Programme,
    category: SignalCategory | None = None,
    assign_to: User | None = None,
    assign_department: Department | None = None,
) -> CategoryRoute:
    """Route a programme's signals (of one category and its sub-categories, when given) to a
    channel, assigning them to a colleague or a department when one is named."""
    if programme.organisation_id != channel.organisation_id:
        raise ValidationError({"programme": _("Choose a programme of your organisation.")})
    if category is not None and category.programme_id != programme.pk:
        raise ValidationError({"category": _("Choose a category of this programme.")})
    if assign_to is not None and (
        assign_to.organisation_id != channel.organisation_id or assign_to.role != Role.CLIENT_STAFF
    ):
        raise ValidationError({"assign_to": _("Assign the signals to a colleague.")})
    if assign_department is not None:
        if assign_department.organisation_id != channel.organisation_id:
            raise ValidationError(
                {"assign_department": _("Choose a department of your organisation.")}
            )
        if assign_to is not None:
            raise ValidationError(
                {"assign_department": _("Assign to a colleague or a department, not both.")}
            )
    if CategoryRoute.objects.filter(
        channel=channel, programme=programme, category=category
    ).exists():
        raise ValidationError({"category": _("These signals go to this channel already.")})
    route = CategoryRoute(
        organisation=channel.organisation,
        channel=channel,
        programme=programme,
        category=category,
        assign_to=assign_to,
        assign_department=assign_department,
    )
    route.full_clean()
    route.save()
    _routes_changed(channel.organisation_id)
    audit_log(
        actor=actor,
        organisation=channel.organisation,
        action="handoff_route.created",
        obj=route,
        data={"channel": channel.pk, "category": category.pk if category else None},
    )
    return route


@transaction.atomic
def category_route_delete(*, actor: User, route: CategoryRoute) -> None:
    """Stop routing; the hand-offs made through the route stay as they are."""
    audit_log(
        actor=actor,
        organisation=route.organisation,
        action="handoff_route.deleted",
        obj=route,
        data={"channel": route.channel_id},
    )
    route.delete()
    _routes_changed(route.organisation_id)


# Planning: which channels a signal goes to ---------------------------------------------------


# Whether an organisation routes anything at all is kept in the cache for this long, so a
# signal of a client without routes (most) costs no query; a change of routes or channels
# clears it (in this process at once; elsewhere, with a cache per process, within this time).
ROUTED_CACHE_SECONDS = 60


def _routed_key(organisation_id: int) -> str:
    return f"handoff:routed:{organisation_id}"


def _routes_changed(organisation_id: int) -> None:
    key = _routed_key(organisation_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def organisation_routes(organisation_id: int) -> bool:
    """Whether the organisation routes any signals to an active channel (cached)."""
    key = _routed_key(organisation_id)
    routed = cache.get(key)
    if routed is None:
        routed = CategoryRoute.objects.filter(
            organisation_id=organisation_id, channel__is_active=True
        ).exists()
        cache.set(key, routed, ROUTED_CACHE_SECONDS)
    return routed


def routes_for(signal: Signal) -> list[CategoryRoute]:
    """The routes of the signal's programme that take its category (its main category's
    routes too, and the programme's routes without a category), to active channels; the most
    specific first."""
    category = signal.category
    wanted = Q(category__isnull=True) | Q(category_id=category.pk)
    if category.parent_id:
        wanted |= Q(category_id=category.parent_id)
    routes = list(
        CategoryRoute.objects.filter(
            wanted, programme_id=signal.programme_id, channel__is_active=True
        )
        .select_related("channel", "assign_to", "assign_department")
        .order_by("id")
    )
    rank = {category.pk: 0, category.parent_id: 1, None: 2}
    return sorted(routes, key=lambda r: rank.get(r.category_id, 2))


def handoffs_plan(*, signal: Signal, actor=None) -> list[Handoff]:
    """Make the hand-offs a new (or forwarded) signal's category routes to, once per channel,
    and queue each after commit; assign the signal to the route's colleague when nobody has
    it yet. Returns the hand-offs made now."""
    if not organisation_routes(signal.organisation_id):
        return []
    routes = routes_for(signal)
    if not routes:
        return []
    made = []
    have = set(Handoff.objects.filter(signal=signal).values_list("channel_id", flat=True))
    for route in routes:
        if route.channel_id in have:
            continue
        have.add(route.channel_id)
        try:
            with transaction.atomic():
                handoff = Handoff.objects.create(
                    organisation_id=signal.organisation_id, signal=signal, channel=route.channel
                )
        except IntegrityError:
            continue  # made by a concurrent call: sent once all the same
        made.append(handoff)
        enqueue_on_commit(_task(), handoff_id=handoff.pk, organisation_id=signal.organisation_id)
    assignee = next((r.assign_to for r in routes if r.assign_to_id), None)
    if assignee is not None and signal.assigned_to_id is None:
        from .signals import signal_transition  # noqa: PLC0415 - signals imports this module: circular

        signal_transition(actor=actor, signal=signal, status=signal.status, assigned_to=assignee)
    department = next((r.assign_department for r in routes if r.assign_department_id), None)
    if department is not None and signal.assigned_department_id is None:
        _assign_department(signal, department)
    return made


def handoff_photo_follow(*, photo) -> int:
    """A photo of a signal is released to the client (processed and reviewed): mail it to
    each service desk that already has the signal (its mail went out before), quoting the
    reference. Returns the number of mails queued."""
    handed = Handoff.objects.filter(
        signal_id=photo.signal_id,
        state=Handoff.State.DELIVERED,
        channel__kind=HandoffChannel.Kind.MAIL_DESK,
    ).select_related("channel", "signal__programme", "signal__organisation")
    return sum(maildesk.send_photo(handoff, photo) for handoff in handed)


def _assign_department(signal: Signal, department: Department) -> None:
    """A route's department takes the signal: recorded on it, its members told."""
    changed = apply_changes(
        signal, {"assigned_department": department}, allowed=("assigned_department",)
    )
    if not changed:
        return
    signal.save(update_fields=changed)
    audit_log(
        actor=None,
        organisation=signal.organisation,
        action="signal.department_assigned",
        obj=signal,
        data={"department": department.name},
    )
    department_assigned_notify(signal=signal, department=department)


# Departments of the client ------------------------------------------------------------------


@transaction.atomic
def department_create(
    *, actor: User, organisation: Organisation, name: str, members: list[User]
) -> Department:
    """A department of the client, with colleagues of the client's staff as members."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the department a name.")})
    if Department.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise ValidationError({"name": _("There is a department of that name already.")})
    if any(m.organisation_id != organisation.pk or m.role != Role.CLIENT_STAFF for m in members):
        raise ValidationError({"members": _("Choose colleagues of your organisation.")})
    department = Department(organisation=organisation, name=name[:100])
    department.full_clean()
    department.save()
    department.members.set(members)
    audit_log(
        actor=actor,
        organisation=organisation,
        action="department.created",
        obj=department,
        data={"name": department.name, "members": [m.pk for m in members]},
    )
    return department


@transaction.atomic
def department_delete(*, actor: User, department: Department) -> None:
    """Remove a department: its routes assign nobody any more; its signals keep their
    colleague, if any, and lose the department."""
    audit_log(
        actor=actor,
        organisation=department.organisation,
        action="department.deleted",
        obj=department,
        data={"name": department.name},
    )
    department.delete()


# Delivery -------------------------------------------------------------------------------------


def _fail_exhausted(handoff: Handoff) -> None:
    """Called under the lock: a hand-off that had its attempts fails."""
    handoff.state = Handoff.State.FAILED
    handoff.save(update_fields=["state"])
    _failed(handoff)


def _failed(handoff: Handoff) -> None:
    audit_log(
        actor=None,
        organisation=handoff.signal.organisation,
        action="handoff.failed",
        obj=handoff.signal,
        data={
            "channel": handoff.channel.name,
            "attempts": handoff.attempts,
            "error": handoff.last_error[:200],
        },
    )
    handoff_failed_notify(handoff=handoff)
    handoff_channel_failing_notify(handoff=handoff)


def handoff_claim(*, handoff_id: int, now=None) -> Handoff | None:
    """Mark a due, waiting hand-off as being sent and count the attempt; None when it is not
    due, not waiting, or another worker holds it. One past its attempts fails instead."""
    now = now or timezone.now()
    with transaction.atomic():
        handoff = (
            Handoff.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("channel", "signal", "signal__organisation", "signal__category")
            .filter(pk=handoff_id)
            .first()
        )
        if handoff is None or handoff.state != Handoff.State.WAITING:
            return None
        if handoff.next_attempt_at > now or not handoff.channel.is_active:
            return None
        if handoff.attempts >= MAX_ATTEMPTS:
            _fail_exhausted(handoff)
            return None
        handoff.state = Handoff.State.SENDING
        handoff.attempts += 1
        handoff.attempted_at = now
        handoff.save(update_fields=["state", "attempts", "attempted_at"])
        return handoff


def _record(handoff: Handoff, outcome: base.Outcome, *, started, duration_ms: int) -> str:
    """Write the outcome of a try, under the lock, while the claim is still ours."""
    with transaction.atomic():
        current = (
            Handoff.objects.select_for_update()
            .filter(pk=handoff.pk, state=Handoff.State.SENDING, attempted_at=handoff.attempted_at)
            .first()
        )
        if current is None:
            return "skipped"  # the sweep took it back meanwhile
        return _write_outcome(handoff, outcome, started=started, duration_ms=duration_ms)


def _write_outcome(handoff: Handoff, outcome: base.Outcome, *, started, duration_ms: int) -> str:
    now = timezone.now()
    result = outcome.result
    if result == base.RETRY and handoff.attempts >= MAX_ATTEMPTS:
        result = base.FAILED
    HandoffAttempt.objects.create(
        organisation_id=handoff.organisation_id,
        handoff=handoff,
        number=handoff.attempts,
        started_at=started,
        duration_ms=duration_ms,
        outcome=result,
        status_code=outcome.status_code,
        detail=outcome.detail[:300],
    )
    handoff.last_error = "" if result == base.DELIVERED else outcome.detail[:500]
    fields = ["state", "last_error"]
    if result == base.DELIVERED:
        handoff.state = Handoff.State.DELIVERED
        handoff.delivered_at = now
        handoff.external_ref = outcome.external_ref[:200]
        handoff.remote_token = outcome.remote_token[:200]
        fields += ["delivered_at", "external_ref", "remote_token"]
    elif result == base.RETRY:
        handoff.state = Handoff.State.WAITING
        handoff.next_attempt_at = now + handoff_backoff(handoff.attempts)
        fields.append("next_attempt_at")
    else:
        handoff.state = Handoff.State.FAILED
    handoff.save(update_fields=fields)
    if result == base.DELIVERED:
        audit_log(
            actor=None,
            organisation=handoff.signal.organisation,
            action="handoff.delivered",
            obj=handoff.signal,
            data={"channel": handoff.channel.name, "reference": handoff.external_ref},
        )
    elif result == base.RETRY:
        enqueue_on_commit(
            _task(),
            eta=handoff.next_attempt_at,
            handoff_id=handoff.pk,
            organisation_id=handoff.organisation_id,
        )
        handoff_channel_failing_notify(handoff=handoff)  # a channel that is down
    else:
        _failed(handoff)
    return handoff.state


def _deliver_mail_desk(*, handoff_id: int, now) -> str:
    """Claim, queue the desk's mail and record it in one transaction: exactly once."""
    with transaction.atomic():
        handoff = handoff_claim(handoff_id=handoff_id, now=now)
        if handoff is None:
            return "skipped"
        started = time.monotonic()
        outcome = maildesk.send(handoff)
        duration = int((time.monotonic() - started) * 1000)
        return _write_outcome(handoff, outcome, started=now, duration_ms=duration)


def handoff_deliver(*, handoff_id: int, now=None) -> str:
    """Try one hand-off if it is due: returns its state afterwards, or "skipped"."""
    now = now or timezone.now()
    kind = (
        HandoffChannel.objects.filter(handoffs__pk=handoff_id)
        .values_list("kind", flat=True)
        .first()
    )
    if kind is None:
        return "skipped"
    if kind == HandoffChannel.Kind.MAIL_DESK:
        return _deliver_mail_desk(handoff_id=handoff_id, now=now)
    handoff = handoff_claim(handoff_id=handoff_id, now=now)
    if handoff is None:
        return "skipped"
    started = time.monotonic()
    try:
        outcome = SENDERS[kind](handoff)
    except Exception as error:  # noqa: BLE001 - recorded as a try to repeat, never lost
        logger.exception("hand-off %s: the channel failed unexpectedly", handoff.pk)
        outcome = base.Outcome(base.RETRY, detail=f"{type(error).__name__}"[:300])
    duration = int((time.monotonic() - started) * 1000)
    return _record(handoff, outcome, started=now, duration_ms=duration)


def handoff_retry(*, actor: User, handoff: Handoff) -> Handoff:
    """Send a failed hand-off again (the client's admin, once the other side is fixed)."""
    with transaction.atomic():
        handoff = Handoff.objects.select_for_update().get(pk=handoff.pk)
        if handoff.state != Handoff.State.FAILED:
            return handoff
        handoff.state = Handoff.State.WAITING
        handoff.attempts = 0
        handoff.next_attempt_at = timezone.now()
        handoff.save(update_fields=["state", "attempts", "next_attempt_at"])
        audit_log(
            actor=actor,
            organisation=handoff.organisation,
            action="handoff.retried",
            obj=handoff.signal,
            data={"channel": handoff.channel.name},
        )
        enqueue_on_commit(_task(), handoff_id=handoff.pk, organisation_id=handoff.organisation_id)
    return handoff


def handoff_requeue_stale(*, now=None) -> int:
    """The sweep (every tenant; the caller disables scoping): queue the due hand-offs whose
    task was lost, and hand back claims a dead worker left. Returns how many were queued."""
    now = now or timezone.now()
    stale = Handoff.objects.filter(
        Q(state=Handoff.State.WAITING, next_attempt_at__lte=now - SWEEP_GRACE)
        | Q(state=Handoff.State.SENDING, attempted_at__lt=now - STALE_AFTER),
        channel__is_active=True,
    ).values_list("pk", "organisation_id", "state", "attempted_at")
    count = 0
    for pk, organisation_id, state, attempted_at in stale:
        if state == Handoff.State.SENDING:
            # Only the same stale claim: the worker may have come back meanwhile.
            handed_back = Handoff.objects.filter(
                pk=pk, state=state, attempted_at=attempted_at
            ).update(state=Handoff.State.WAITING, next_attempt_at=timezone.now())
            if not handed_back:
                continue
        enqueue(_task(), handoff_id=pk, organisation_id=organisation_id)
        count += 1
    return count


# Status coming back -------------------------------------------------------------------------


def inbound_signature_record(*, channel: HandoffChannel, signature: str, now=None) -> bool:
    """Remember a signature of an inbound message; False when it was seen before within the
    window (a replay). Signatures older than the window are forgotten: their timestamps are
    refused as too old anyway."""
    now = now or timezone.now()
    InboundSignature.objects.filter(
        channel=channel, seen_at__lt=now - timedelta(seconds=inbound.MAX_SKEW * 2)
    ).delete()
    try:
        with transaction.atomic():
            InboundSignature.objects.create(
                organisation_id=channel.organisation_id,
                channel=channel,
                signature=signature[:64],
                seen_at=now,
            )
    except IntegrityError:
        return False
    return True


@transaction.atomic
def handoff_status_receive(
    *, channel: HandoffChannel, handoff: Handoff, remote_status: str, status: str, note: str
) -> str:
    """Move the handed-off signal to `status` (mapped from the client's `remote_status`),
    with their note, through the signal's workflow; audited. Returns "unchanged" when the
    signal has that status already, else the status it had. ValidationError when the
    workflow does not allow the move."""
    from .signals import signal_transition  # noqa: PLC0415 - signals imports this module: circular

    signal = handoff.signal
    previous = signal.status
    if status == previous:
        result = "unchanged"
    else:
        note = (note or "").strip()[:2000] or _("Status in %(channel)s: %(status)s") % {
            "channel": channel.name,
            "status": remote_status[:100],
        }
        signal_transition(actor=None, signal=signal, status=status, text=note)
        result = previous
    audit_log(
        actor=None,
        organisation=channel.organisation,
        action="handoff.status_received",
        obj=signal,
        data={"channel": channel.name, "remote_status": remote_status[:100], "status": status},
    )
    return result
