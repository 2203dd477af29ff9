"""Walked rounds: started on a phone with the members who are present, ended afterwards."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.models import Programme, Progress, User
from programmes.selectors import roster
from programmes.services import programme_progress_record
from programmes.services.common import apply_changes

from ..models import DEFAULT_MIN_WALKERS, Round
from .records import Conflict, _member, _store_once


def round_start(*, actor: User, programme: Programme, uuid, started_at, walkers=(), slot=None):
    """Record the start of a round by `actor` with the members who are present; only a member
    ready for rounds starts one."""
    _member(programme=programme, user=actor, ready=True)
    walker_ids = sorted({actor.pk, *[w.pk for w in walkers]})
    members = set(
        roster(programme=programme).filter(user_id__in=walker_ids).values_list("user_id", flat=True)
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


# The longest remark a member adds when ending a round.
REMARK_MAX = 500


@transaction.atomic
def round_end(
    *, actor: User, round_: Round, ended_at, outcome: str = "", remark: str = ""
) -> Round:
    """End a round, with how it went: `outcome` "nothing" (Round.Outcome.NOTHING) is a round
    with nothing to report, a valid round that counts for effort like any other; `remark` an
    optional note. Ending it again at the same time is a no-op (the phone resends), at another
    time a conflict."""
    _member(programme=round_.programme, user=actor)
    if round_.ended_at is not None:
        if round_.ended_at != ended_at:
            raise Conflict
        return round_
    if ended_at <= round_.started_at:
        raise ValidationError({"ended_at": _("A round ends after it starts.")})
    if outcome not in ("", *Round.Outcome.values):
        raise ValidationError({"outcome": _("Choose how the round went.")})
    remark = (remark or "").strip()
    if len(remark) > REMARK_MAX:
        raise ValidationError({"remark": _("Use at most %(n)s characters.") % {"n": REMARK_MAX}})
    changed = apply_changes(
        round_,
        {"ended_at": ended_at, "outcome": outcome, "remark": remark},
        allowed=("ended_at", "outcome", "remark"),
    )
    round_.full_clean(
        exclude=["organisation", "programme", "slot", "started_by"], validate_unique=False
    )
    round_.save(update_fields=changed)
    audit_log(
        actor=actor,
        organisation=round_.organisation,
        action="round.ended",
        obj=round_,
        data={"outcome": outcome} if outcome else None,
    )
    return round_
