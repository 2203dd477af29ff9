"""Every write of the patrols app: rounds, signals, photos, conversations, follow-up, effort.

Records from a phone are stored once per phone-made id (`_store_once`): an identical resend
answers with the stored record, a different record under the same id is refused (409).
"""

import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from programmes.audit import audit_log
from programmes.calendar import add_working_days
from programmes.images import reencode_image
from programmes.links import reverse_absolute
from programmes.mail import mail_queue
from programmes.models import Programme, Progress, TeamMember, User
from programmes.readiness import readiness_reason
from programmes.services import programme_progress_record

from .models import (
    DEFAULT_MIN_WALKERS,
    Conversation,
    Round,
    RoundSignup,
    RoundSlot,
    Signal,
    SignalCategory,
    SignalEvent,
    SignalPhoto,
)
from .workflow import CLOSED, Status, check_transition

PHOTO_MAX_BYTES = 15 * 1024 * 1024
PHOTO_MAX_SIDE = 2048

# Default categories (seeds: what teams signal), two levels; each programme can edit its own.
DEFAULT_CATEGORIES = [
    (
        gettext_noop("Litter and bulky waste"),
        5,
        [gettext_noop("Bulky waste"), gettext_noop("Litter")],
    ),
    (gettext_noop("Lighting"), 10, []),
    (gettext_noop("Leak or damage"), 3, []),
    (gettext_noop("Bikes or belongings on galleries"), 10, []),
    (gettext_noop("Vandalism or graffiti"), 10, []),
    (gettext_noop("Nuisance"), 5, []),
    (gettext_noop("Unsafe situation"), 1, []),
    (gettext_noop("Other"), 10, []),
]


class Conflict(Exception):
    """A different record was sent under an id that is already used."""


def payload_hash(payload: dict) -> str:
    canonical = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _store_once(model, *, uuid, payload: dict, create):
    """Return (record, created). `create(hash)` makes the record; a concurrent identical
    submission that loses the race finds the winner's row instead of failing."""
    digest = payload_hash(payload)
    existing = model.objects.filter(uuid=uuid).first()
    if existing is None:
        try:
            with transaction.atomic():
                return create(digest), True
        except IntegrityError:
            existing = model.objects.filter(uuid=uuid).first()
            if existing is None:  # the id belongs to another organisation's record
                raise Conflict from None
    if existing.payload_hash != digest:
        raise Conflict
    return existing, False


class NotReady(PermissionDenied):
    """The member may not walk rounds yet; the message says why, in words for them."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _member(*, programme: Programme, user: User, ready: bool = False) -> TeamMember:
    """The active roster row of `user`; with `ready`, also refuse a member who may not walk
    rounds yet (workshop, rules... or the project leader's override; see programmes.readiness)."""
    member = TeamMember.objects.filter(programme=programme, user=user, is_active=True).first()
    if member is None:
        raise PermissionDenied
    if ready and not member.ready_for_rounds:
        raise NotReady(readiness_reason(member=member))
    return member


def require_ready(*, programme: Programme, user: User) -> TeamMember:
    """The member's roster row if they may walk rounds now; `NotReady` (a 403 with the
    reason) otherwise, `PermissionDenied` for someone not on the team."""
    return _member(programme=programme, user=user, ready=True)


@transaction.atomic
def categories_ensure(*, programme: Programme) -> list[SignalCategory]:
    """The programme's categories, made from the defaults (in Dutch) when it has none."""
    existing = list(programme.signal_categories.all())
    if existing:
        return existing
    from django.utils import translation

    made = []
    with translation.override("nl"):
        for position, (name, days, children) in enumerate(DEFAULT_CATEGORIES):
            parent = SignalCategory.objects.create(
                organisation=programme.organisation,
                programme=programme,
                name=_(name),
                handling_days=days,
                position=position,
            )
            made.append(parent)
            for child_position, child in enumerate(children):
                made.append(
                    SignalCategory.objects.create(
                        organisation=programme.organisation,
                        programme=programme,
                        parent=parent,
                        name=_(child),
                        handling_days=days,
                        position=child_position,
                    )
                )
    return made


def round_start(*, actor: User, programme: Programme, uuid, started_at, walkers=(), slot=None):
    """Record the start of a round by `actor` with the members who are present; only a member
    ready for rounds starts one."""
    _member(programme=programme, user=actor, ready=True)
    walker_ids = sorted({actor.pk, *[w.pk for w in walkers]})
    members = set(
        TeamMember.objects.filter(
            programme=programme, user_id__in=walker_ids, is_active=True
        ).values_list("user_id", flat=True)
    )
    if members != set(walker_ids):
        raise ValidationError({"walkers": _("Only members of this team can walk the round.")})
    payload = {
        "programme": programme.pk,
        "started_at": started_at.isoformat(),
        "walkers": walker_ids,
        "slot": slot.pk if slot else None,
    }

    def create(digest):
        round_ = Round.objects.create(
            uuid=uuid,
            payload_hash=digest,
            organisation=programme.organisation,
            programme=programme,
            slot=slot,
            started_by=actor,
            started_at=started_at,
            min_walkers=slot.min_walkers if slot else DEFAULT_MIN_WALKERS,
        )
        round_.walkers.set(walker_ids)
        audit_log(
            actor=actor,
            organisation=programme.organisation,
            action="round.started",
            obj=round_,
            data={"walkers": len(walker_ids), "min_walkers": round_.min_walkers},
        )
        programme_progress_record(
            programme=programme, event=Progress.ROUNDS_WALKED, when=started_at, actor=actor
        )
        return round_

    return _store_once(Round, uuid=uuid, payload=payload, create=create)


@transaction.atomic
def round_end(*, actor: User, round_: Round, ended_at) -> Round:
    """End a round; ending it again at the same time is a no-op, at another time a conflict."""
    _member(programme=round_.programme, user=actor)
    if round_.ended_at is not None:
        if round_.ended_at != ended_at:
            raise Conflict
        return round_
    if ended_at <= round_.started_at:
        raise ValidationError({"ended_at": _("A round ends after it starts.")})
    round_.ended_at = ended_at
    round_.save(update_fields=["ended_at"])
    audit_log(actor=actor, organisation=round_.organisation, action="round.ended", obj=round_)
    return round_


def signal_report(
    *,
    actor: User,
    programme: Programme,
    uuid,
    category: SignalCategory,
    description: str,
    reported_at,
    urgent=False,
    latitude=None,
    longitude=None,
    street="",
    house_number="",
    round_: Round | None = None,
):
    """Store a signal from a team member; the handling-time target follows its category.

    Only the category is required: a member on a round saves in a few taps, so the
    description and the place (position or street) are optional; a missing place is shown
    to the client as such rather than holding the signal back on the phone. Only a member
    ready for rounds reports.
    """
    _member(programme=programme, user=actor, ready=True)
    if category.programme_id != programme.pk or not category.is_active:
        raise ValidationError({"category": _("Choose a category of this team.")})
    if round_ is not None and round_.programme_id != programme.pk:
        raise ValidationError({"round": _("This round belongs to another team.")})
    if (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": _("This position is not on the map.")})
    payload = {
        "programme": programme.pk,
        "category": category.pk,
        "description": description,
        "reported_at": reported_at.isoformat(),
        "urgent": bool(urgent),
        "latitude": None if latitude is None else f"{float(latitude):.6f}",
        "longitude": None if longitude is None else f"{float(longitude):.6f}",
        "street": street,
        "house_number": house_number,
        "round": str(round_.uuid) if round_ else None,
    }

    def create(digest):
        signal = Signal(
            uuid=uuid,
            payload_hash=digest,
            organisation=programme.organisation,
            programme=programme,
            round=round_,
            category=category,
            description=description.strip(),
            urgent=bool(urgent),
            latitude=payload["latitude"],
            longitude=payload["longitude"],
            street=street.strip(),
            house_number=house_number.strip(),
            reported_by=actor,
            reported_at=reported_at,
            due_date=add_working_days(timezone.localdate(reported_at), category.handling_days),
        )
        signal.full_clean(validate_unique=False)  # the uuid race is settled by _store_once
        signal.save()
        SignalEvent.objects.create(
            organisation=signal.organisation, signal=signal, actor=actor, to_status=Status.NEW
        )
        audit_log(
            actor=actor, organisation=signal.organisation, action="signal.reported", obj=signal
        )
        return signal

    return _store_once(Signal, uuid=uuid, payload=payload, create=create)


def signal_photo_add(*, actor: User, signal: Signal, uuid, upload):
    """Attach a photo: checked by content, re-encoded, without EXIF (location included).
    Only the reporter, while ready for rounds, adds one."""
    if signal.reported_by_id != actor.pk:
        raise PermissionDenied
    _member(programme=signal.programme, user=actor, ready=True)
    image = reencode_image(
        upload,
        max_bytes=PHOTO_MAX_BYTES,
        max_side=PHOTO_MAX_SIDE,
        allowed=("JPEG", "PNG", "HEIF"),
        output="JPEG",
    )
    digest_payload = {
        "signal": str(signal.uuid),
        "sha256": hashlib.sha256(image.read()).hexdigest(),
    }
    image.seek(0)

    def create(digest):
        from PIL import Image

        with Image.open(image) as probe:
            width, height = probe.size
        image.seek(0)
        photo = SignalPhoto(
            uuid=uuid,
            payload_hash=digest,
            organisation=signal.organisation,
            signal=signal,
            width=width,
            height=height,
        )
        photo.image.save(f"{uuid}.jpg", image, save=False)
        photo.save()
        return photo

    return _store_once(SignalPhoto, uuid=uuid, payload=digest_payload, create=create)


def conversation_report(
    *,
    actor: User,
    programme: Programme,
    uuid,
    topic: str,
    outcome: str,
    reported_at,
    aggression=False,
    note="",
    round_: Round | None = None,
):
    """Store a conversation with a resident; aggression alerts the project leaders at once.
    Only a member ready for rounds reports."""
    _member(programme=programme, user=actor, ready=True)
    payload = {
        "programme": programme.pk,
        "topic": topic,
        "outcome": outcome,
        "reported_at": reported_at.isoformat(),
        "aggression": bool(aggression),
        "note": note,
        "round": str(round_.uuid) if round_ else None,
    }

    def create(digest):
        conversation = Conversation(
            uuid=uuid,
            payload_hash=digest,
            organisation=programme.organisation,
            programme=programme,
            round=round_,
            topic=topic,
            outcome=outcome,
            note=note.strip(),
            aggression=bool(aggression),
            reported_by=actor,
            reported_at=reported_at,
        )
        conversation.full_clean(validate_unique=False)
        conversation.save()
        audit_log(
            actor=actor,
            organisation=programme.organisation,
            action="conversation.reported",
            obj=conversation,
        )
        if conversation.aggression:
            for leader in programme.project_leaders.all():
                mail_queue(
                    organisation=programme.organisation,
                    programme=programme,
                    to=leader.email,
                    to_name=leader.name,
                    language=leader.language,
                    template="patrols/aggression_alert",
                    context={"conversation": conversation, "member": actor},
                )
        return conversation

    return _store_once(Conversation, uuid=uuid, payload=payload, create=create)


@transaction.atomic
def signal_transition(
    *, actor: User, signal: Signal, status: str, text: str = "", assigned_to: User | None = None
) -> Signal:
    """Move a signal through the workflow; the reporter hears when it is resolved."""
    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    previous = signal.status
    if status != previous:
        check_transition(previous, status, text)
    elif assigned_to is None or assigned_to == signal.assigned_to:
        raise ValidationError({"status": _("Choose a new status or another colleague.")})
    if assigned_to is not None and assigned_to.organisation_id != signal.organisation_id:
        raise ValidationError({"assigned_to": _("Assign the signal to a colleague.")})
    signal.status = status
    if assigned_to is not None:
        signal.assigned_to = assigned_to
    signal.closed_at = timezone.now() if status in CLOSED else None
    signal.save(update_fields=["status", "assigned_to", "closed_at"])
    SignalEvent.objects.create(
        organisation=signal.organisation,
        signal=signal,
        actor=actor,
        from_status=previous,
        to_status=status,
        assigned_to=assigned_to,
        text=text.strip(),
    )
    audit_log(
        actor=actor,
        organisation=signal.organisation,
        action=f"signal.{status}",
        obj=signal,
        data={"from": previous},
    )
    reporter = signal.reported_by  # None once the reporter's account was deleted
    if status == Status.RESOLVED and previous != Status.RESOLVED and reporter is not None:
        mail_queue(
            organisation=signal.organisation,
            programme=signal.programme,
            to=reporter.email,
            to_name=reporter.name,
            language=reporter.language,
            template="patrols/signal_resolved",
            context={
                "signal": signal,
                "text": text,
                "link": reverse_absolute(
                    "team_signal",
                    kwargs={"org": signal.organisation.slug, "signal_pk": signal.pk},
                ),
            },
        )
    return signal


@transaction.atomic
def round_slot_create(
    *,
    actor: User,
    programme: Programme,
    starts_at,
    meeting_point: str,
    area: str = "",
    duration_minutes: int = 90,
    min_walkers: int = 2,
    weeks: int = 1,
) -> list[RoundSlot]:
    """Schedule a round, or the same round weekly for `weeks` weeks."""
    if not 1 <= weeks <= 52:
        raise ValidationError({"weeks": _("Repeat for 1 to 52 weeks.")})
    from datetime import timedelta

    slots = []
    local = timezone.localtime(starts_at)
    for week in range(weeks):
        # Same wall-clock time every week, across the change to or from summer time.
        moment = timezone.make_aware(local.replace(tzinfo=None) + timedelta(weeks=week))
        slot = RoundSlot(
            organisation=programme.organisation,
            programme=programme,
            starts_at=moment,
            duration_minutes=duration_minutes,
            meeting_point=meeting_point,
            area=area,
            min_walkers=min_walkers,
        )
        slot.full_clean()
        slots.append(slot)
    RoundSlot.objects.bulk_create(slots)
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="round_slots.created",
        obj=programme,
        data={"count": len(slots)},
    )
    return slots


@transaction.atomic
def round_signup(*, actor: User, slot: RoundSlot, signed_up: bool = True) -> bool:
    """Sign up for (or off) a scheduled round; only members ready for rounds may sign up."""
    member = _member(programme=slot.programme, user=actor)
    if signed_up and not member.ready_for_rounds:
        raise ValidationError(readiness_reason(member=member))
    if slot.starts_at <= timezone.now():
        raise ValidationError(_("This round has already started."))
    if signed_up:
        _signup, changed = RoundSignup.objects.get_or_create(
            organisation=slot.organisation, slot=slot, user=actor
        )
    else:
        changed = RoundSignup.objects.filter(slot=slot, user=actor).delete()[0] > 0
    if changed:
        audit_log(
            actor=actor,
            organisation=slot.organisation,
            action="round.signed_up" if signed_up else "round.signed_off",
            obj=slot,
        )
    return signed_up


@dataclass
class Effort:
    user: User
    rounds: int = 0
    minutes: float = 0
    team_meetings: int = 0
    met: bool = False

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def month_bounds(year: int, month: int):
    """The start of `month` and of the month after, as aware datetimes in local time."""
    from datetime import datetime

    start = timezone.make_aware(datetime(year, month, 1))
    end = timezone.make_aware(datetime(year + month // 12, month % 12 + 1, 1))
    return start, end


def effort_for_month(*, programme: Programme, year: int, month: int) -> list[Effort]:
    """Each active member's effort in a calendar month. A round counts in the month it started;
    its minutes are split at the month boundary, so a round from 23:00 on the last day to
    01:00 gives one hour to each month."""
    from programmes.models import Invitee, Meeting

    start, end = month_bounds(year, month)
    members = {
        m.user_id: Effort(user=m.user)
        for m in TeamMember.objects.filter(programme=programme, is_active=True).select_related(
            "user"
        )
    }
    rounds = (
        Round.objects.filter(
            programme=programme, ended_at__isnull=False, started_at__lt=end, ended_at__gt=start
        )
        .prefetch_related("walkers")
        .only("started_at", "ended_at")
    )
    for round_ in rounds:
        overlap = (min(round_.ended_at, end) - max(round_.started_at, start)).total_seconds() / 60
        for walker in round_.walkers.all():
            effort = members.get(walker.pk)
            if effort is None:
                continue
            effort.minutes += overlap
            if start <= round_.started_at < end:
                effort.rounds += 1
    attended = Invitee.objects.filter(
        meeting__programme=programme,
        meeting__kind=Meeting.Kind.TEAM,
        attended=True,
        meeting__starts_at__gte=start,
        meeting__starts_at__lt=end,
        user_id__in=list(members),
    ).values_list("user_id", flat=True)
    for user_id in attended:
        members[user_id].team_meetings += 1
    rule = getattr(programme, "effort_rule", None)
    for effort in members.values():
        effort.met = rule is not None and (
            effort.rounds >= rule.min_rounds
            and effort.minutes >= float(rule.min_hours) * 60
            and effort.team_meetings >= rule.min_team_meetings
        )
    return sorted(members.values(), key=lambda e: e.user.name)


@transaction.atomic
def effort_rule_save(*, actor: User, programme: Programme, **fields):
    """Set the effort obligation and reward of a programme."""
    from .models import EffortRule

    rule, _created = EffortRule.objects.get_or_create(
        organisation=programme.organisation, programme=programme
    )
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean(exclude=["organisation", "programme"])
    rule.save()
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="effort_rule.saved",
        obj=rule,
        data={k: str(v) for k, v in fields.items()},
    )
    return rule


@transaction.atomic
def reward_hand_out(
    *, actor: User, programme: Programme, user: User, year: int, month: int, handed_out: bool = True
):
    """Mark (or unmark) a member's reward for a month as handed out; only for a member who met
    the effort obligation that month."""
    import datetime as dt

    from .models import RewardHandout

    first = dt.date(year, month, 1)
    if not handed_out:
        RewardHandout.objects.filter(programme=programme, user=user, month=first).delete()
        return None
    effort = next(
        (
            e
            for e in effort_for_month(programme=programme, year=year, month=month)
            if e.user.pk == user.pk
        ),
        None,
    )
    if effort is None or not effort.met:
        raise ValidationError(_("This member did not meet the effort obligation that month."))
    handout, created = RewardHandout.objects.get_or_create(
        organisation=programme.organisation,
        programme=programme,
        user=user,
        month=first,
        defaults={"handed_out_by": actor},
    )
    if created:
        audit_log(
            actor=actor,
            organisation=programme.organisation,
            action="reward.handed_out",
            obj=handout,
        )
    return handout


@transaction.atomic
def category_save(*, actor: User, programme: Programme, category=None, parent=None, **fields):
    """Add or change a signal category of a programme."""
    if category is None:
        category = SignalCategory(
            organisation=programme.organisation, programme=programme, parent=parent
        )
    for name, value in fields.items():
        setattr(category, name, value)
    if category.parent_id and category.parent.programme_id != programme.pk:
        raise ValidationError({"parent": _("Choose a category of this team.")})
    category.full_clean(exclude=["organisation", "programme"])
    category.save()
    audit_log(
        actor=actor, organisation=programme.organisation, action="category.saved", obj=category
    )
    return category


def round_reminders_due(*, now=None):
    """(signup id, organisation id) for rounds in the next 24 hours not yet reminded."""
    now = now or timezone.now()
    return RoundSignup.objects.filter(
        slot__starts_at__gt=now,
        slot__starts_at__lte=now + timezone.timedelta(hours=24),
        reminded_at__isnull=True,
    ).values_list("pk", "organisation_id")


@transaction.atomic
def round_reminder_send(*, signup_id: int) -> bool:
    """Remind one walker the day before; a second call sends nothing."""
    signup = (
        RoundSignup.objects.select_for_update()
        .select_related("slot", "slot__programme", "user")
        .filter(pk=signup_id)
        .first()
    )
    if signup is None or signup.reminded_at:
        return False
    signup.reminded_at = timezone.now()
    signup.save(update_fields=["reminded_at"])
    user = signup.user
    mail_queue(
        organisation=signup.organisation,
        programme=signup.slot.programme,
        to=user.email,
        to_name=user.name,
        language=user.language,
        template="patrols/round_reminder",
        context={"slot": signup.slot, "member": user},
    )
    return True
