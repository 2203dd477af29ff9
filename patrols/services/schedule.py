"""Scheduled rounds: planned by the project leader, signed up for by members, reminded of."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.mail import mail_queue
from programmes.models import Programme, User
from programmes.readiness import readiness_reason
from programmes.selectors import is_schedulable, schedulable_members
from programmes.services.common import apply_changes

from ..models import RoundSignup, RoundSlot
from .records import _member


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
    if signed_up and not is_schedulable(member):
        raise ValidationError(_("You are paused: sign up again once your pause has ended."))
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


def round_reminders_due(*, now=None):
    """(signup id, organisation id) for rounds in the next 24 hours not yet reminded, of
    walkers who can be scheduled (a paused member, or one who left, is not reminded)."""
    now = now or timezone.now()
    return (
        RoundSignup.objects.filter(
            slot__starts_at__gt=now,
            slot__starts_at__lte=now + timedelta(hours=24),
            reminded_at__isnull=True,
        )
        .filter(
            Exists(
                schedulable_members(programme=OuterRef("slot__programme_id")).filter(
                    user_id=OuterRef("user_id")
                )
            )
        )
        .values_list("pk", "organisation_id")
    )


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
    signup.save(
        update_fields=apply_changes(
            signup, {"reminded_at": timezone.now()}, allowed=("reminded_at",)
        )
    )
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
