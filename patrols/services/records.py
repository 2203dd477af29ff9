"""What every record from a phone shares: stored once per phone-made id, made by a member.

Records from a phone are stored once per phone-made id (`_store_once`): an identical resend
answers with the stored record, a different record under the same id is refused (409).
"""

import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from programmes.models import Programme, TeamMember, User
from programmes.readiness import readiness_reason
from programmes.selectors import roster_member


class Conflict(Exception):
    """A different record was sent under an id that is already used."""


class NotReady(PermissionDenied):
    """The member may not walk rounds yet; the message says why, in words for them."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def payload_hash(payload: dict) -> str:
    """The fingerprint of a record as sent: the same record always gives the same hash."""
    canonical = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _store_once(model, *, uuid, payload: dict, create, look_first: bool = True):
    """Return (record, created). `create(hash)` makes the record; a concurrent identical
    submission that loses the race finds the winner's row instead of failing.

    With `look_first=False` the insert is tried straight away and the stored record is read
    only when the id turns out to be taken (a resend): one query less for a new record, for
    a `create` that leaves nothing behind when its insert fails (no file written first, or
    the file it wrote removed again).
    """
    digest = payload_hash(payload)
    existing = model.objects.filter(uuid=uuid).first() if look_first else None
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


def _reported(
    model,
    *,
    uuid,
    digest,
    programme: Programme,
    actor: User,
    round_=None,
    checked: tuple[str, ...] = (),
    **fields,
):
    """Save a record a member reported (a signal, a conversation) in their programme, checked
    by the model's own rules; the uuid race is settled by `_store_once`. `checked` names the
    relations the caller has already verified (objects it read in scope), which the model's
    validation then does not look up again."""
    record = model(
        uuid=uuid,
        payload_hash=digest,
        organisation=programme.organisation,
        programme=programme,
        round=round_,
        reported_by=actor,
        **fields,
    )
    record.full_clean(exclude=list(checked), validate_unique=False)
    record.save()
    return record


def _member(
    *, programme: Programme, user: User, ready: bool = False, member: TeamMember | None = None
) -> TeamMember:
    """The active roster row of `user`; with `ready`, also refuse a member who may not walk
    rounds yet (workshop, rules... or the project leader's override; see programmes.readiness).
    `member` is that row when the caller has just read it: used only if it is the one."""
    if not (
        member is not None
        and member.is_active
        and member.programme_id == programme.pk
        and member.user_id == getattr(user, "pk", None)
    ):
        member = roster_member(programme=programme, user=user)
    if member is None:
        raise PermissionDenied
    if ready and not member.ready_for_rounds:
        raise NotReady(readiness_reason(member=member))
    return member


def require_ready(
    *, programme: Programme, user: User, member: TeamMember | None = None
) -> TeamMember:
    """The member's roster row if they may walk rounds now; `NotReady` (a 403 with the
    reason) otherwise, `PermissionDenied` for someone not on the team. `member`: the row
    the caller has just read, if any (see `_member`)."""
    return _member(programme=programme, user=user, ready=True, member=member)
