"""What the client's staff see of a team member: the first name, unless the member agreed to
share their full name and e-mail address with the client (consent, recorded with its time,
given and withdrawn by the member alone, in the app)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ..audit import audit_log
from ..models import TeamMember, User
from .common import apply_changes


@transaction.atomic
def member_contact_share(*, actor: User, member: TeamMember, share: bool) -> TeamMember:
    """Give (`share`) or withdraw the member's consent to show the client their full name and
    e-mail address. Only the member decides; the moment of consent is kept."""
    if actor.pk != member.user_id:
        raise PermissionDenied
    if share == (member.contact_shared_at is not None):
        return member
    changed = apply_changes(
        member,
        {"contact_shared_at": timezone.now() if share else None},
        allowed=("contact_shared_at",),
    )
    member.save(update_fields=changed)
    audit_log(
        actor=actor,
        organisation=member.organisation,
        action="team.contact_shared" if share else "team.contact_withdrawn",
        obj=member,
    )
    return member
