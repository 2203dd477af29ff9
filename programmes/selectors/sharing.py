"""How a team member is named to whoever looks: the consultancy sees the full name; the
client's staff see the first name only, and the full name and e-mail address only when the
member agreed to share them (`TeamMember.contact_shared_at`, `services.sharing`)."""

from ..models import Programme, TeamMember
from ..permissions import Role


def shared_contact_ids(*, programme: Programme) -> frozenset[int]:
    """The ids of the users on `programme`'s roster who share their contact details."""
    return frozenset(
        TeamMember.objects.filter(programme=programme, contact_shared_at__isnull=False).values_list(
            "user_id", flat=True
        )
    )


def name_for(*, person, viewer, shared: frozenset[int] = frozenset()) -> str:
    """`person` (a user) as `viewer` may see them: a team member shown to the client's staff
    by first name, unless their id is in `shared` (then name and e-mail address)."""
    if person is None:
        return ""
    if getattr(viewer, "role", None) != Role.CLIENT_STAFF or person.role != Role.TEAM_MEMBER:
        return str(person)
    if person.pk in shared:
        return f"{person} ({person.email})"
    return person.first_name or "–"
