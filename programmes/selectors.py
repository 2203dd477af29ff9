"""Reads that take the acting user.

Fetching by a URL id goes through `get_<thing>_for(user=..., ...)`, which answers 404 both for
"missing" and for "not yours", so an outsider cannot tell the two apart.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import AuditEntry, Invitation, Organisation, User
from .permissions import Role


def organisations_for(*, user) -> QuerySet[Organisation]:
    """The active organisations `user` may see: a consultancy admin sees the consultancy and all
    its clients, a project leader the consultancy and the clients assigned to them, everyone
    else only their own organisation."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Organisation.objects.none()
    qs = Organisation.objects.filter(is_active=True)
    if user.role == Role.CONSULTANCY_ADMIN:
        return qs.filter(Q(pk=user.organisation_id) | Q(consultancy_id=user.organisation_id))
    if user.role == Role.PROJECT_LEADER:
        return qs.filter(
            Q(pk=user.organisation_id)
            | Q(consultancy_id=user.organisation_id, project_leaders=user)
        ).distinct()
    return qs.filter(pk=user.organisation_id)


def organisation_ids_for(*, user) -> list[int]:
    """The ids of `organisations_for`, cached on the user object for the request."""
    cached = getattr(user, "_organisation_ids", None)
    if cached is None:
        cached = list(organisations_for(user=user).values_list("pk", flat=True))
        user._organisation_ids = cached
    return cached


def get_organisation_for(*, user, slug: str) -> Organisation:
    """The organisation with this slug if `user` may see it; 404 otherwise."""
    org = organisations_for(user=user).filter(slug=slug).first()
    if org is None:
        raise Http404
    return org


def clients_for(*, user) -> QuerySet[Organisation]:
    """The client organisations (not the consultancy) `user` may see, for the workspace."""
    return organisations_for(user=user).exclude(kind=Organisation.Kind.CONSULTANCY)


def users_for(*, user) -> QuerySet[User]:
    """Accounts in the organisations `user` may see."""
    return (
        User.objects.filter(organisation__in=organisation_ids_for(user=user))
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def get_user_for(*, user, pk: int) -> User:
    found = users_for(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def invitations_for(*, user) -> QuerySet[Invitation]:
    """Invitations in the active scope (the user's organisations), newest first."""
    return Invitation.objects.select_related("organisation", "invited_by").order_by("-created_at")


def get_invitation_for(*, user, pk: int) -> Invitation:
    found = invitations_for(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def audit_entries_for(*, user) -> QuerySet[AuditEntry]:
    """Audit entries in the active scope, newest first, with their actor and organisation."""
    return AuditEntry.objects.select_related("actor", "organisation")
