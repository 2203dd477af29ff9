"""Roles and what each may do: one table, checked through `has_perm` and `PermissionMixin`.

Organisation access (which tenants a user may see) is decided in `selectors`; this table only
answers "may this role do this at all". Templates may hide buttons with `perms`-style checks,
but every decision that matters is made here.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CONSULTANCY_ADMIN = "consultancy_admin", _("Consultancy admin")
    PROJECT_LEADER = "project_leader", _("Project leader")
    CLIENT_STAFF = "client_staff", _("Client staff")
    TEAM_MEMBER = "team_member", _("Team member")


CONSULTANCY_ROLES = frozenset({Role.CONSULTANCY_ADMIN, Role.PROJECT_LEADER})


class Perm(StrEnum):
    WORKSPACE_VIEW = "workspace.view"
    ORGANISATION_VIEW = "organisation.view"
    ORGANISATION_MANAGE = "organisation.manage"
    USER_VIEW = "user.view"
    USER_MANAGE = "user.manage"
    AUDIT_VIEW = "audit.view"
    PORTAL_VIEW = "portal.view"
    TEAM_APP_VIEW = "team_app.view"
    PROGRAMME_VIEW = "programme.view"
    PROGRAMME_MANAGE = "programme.manage"
    PLAN_TEMPLATE_MANAGE = "plan_template.manage"
    DOCUMENT_VIEW = "document.view"
    SIGNAL_VIEW = "signal.view"
    SIGNAL_HANDLE = "signal.handle"
    # Where the client's signals go: the hand-off channels (with their secrets) and routes.
    # The client's staff have no admin rank among them, so all of them and the consultancy
    # admin; not the project leader, who sees the hand-off's health but not its set-up.
    HANDOFF_MANAGE = "handoff.manage"
    # The client's decision on a proposed candidate (approve or decline, and undo it).
    CANDIDATE_DECIDE = "candidate.decide"
    REWARD_MANAGE = "reward.manage"
    # A team member's own records in the app (the signals they reported, the documents made
    # for them): the member's alone, so no other role has it, not even the consultancy admin.
    OWN_RECORDS_VIEW = "own_records.view"
    # All mail of the consultancy, including mail that belongs to no programme (invitations,
    # login codes): addresses of every client, so the consultancy admin only.
    MAIL_MANAGE = "mail.manage"
    # A person's own notifications and their choices for them: everyone who logs in.
    OWN_NOTIFICATIONS = "own_notifications.manage"
    # The register of personal data, retention, and a person's export and erasure: every
    # client's people, so the consultancy admin only.
    PRIVACY_MANAGE = "privacy.manage"
    # The client's input to an evaluation with the client that is open for it.
    EVALUATION_INPUT = "evaluation.input"


ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.CONSULTANCY_ADMIN: frozenset(Perm) - {Perm.OWN_RECORDS_VIEW},
    Role.PROJECT_LEADER: frozenset(
        {
            Perm.WORKSPACE_VIEW,
            Perm.ORGANISATION_VIEW,
            Perm.USER_VIEW,
            Perm.PORTAL_VIEW,
            Perm.PROGRAMME_VIEW,
            Perm.PROGRAMME_MANAGE,
            Perm.DOCUMENT_VIEW,
            Perm.SIGNAL_VIEW,
            Perm.REWARD_MANAGE,
            Perm.OWN_NOTIFICATIONS,
        }
    ),
    Role.CLIENT_STAFF: frozenset(
        {
            Perm.PORTAL_VIEW,
            Perm.DOCUMENT_VIEW,
            Perm.SIGNAL_VIEW,
            Perm.SIGNAL_HANDLE,
            Perm.HANDOFF_MANAGE,
            Perm.CANDIDATE_DECIDE,
            Perm.REWARD_MANAGE,
            Perm.OWN_NOTIFICATIONS,
            Perm.EVALUATION_INPUT,
        }
    ),
    Role.TEAM_MEMBER: frozenset(
        {Perm.TEAM_APP_VIEW, Perm.OWN_RECORDS_VIEW, Perm.OWN_NOTIFICATIONS}
    ),
}


def has_perm(user, perm: Perm) -> bool:
    """Whether the user's role grants `perm`; inactive and anonymous users have none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return perm in ROLE_PERMISSIONS.get(user.role, frozenset())


def roles_with(perm: Perm) -> list[str]:
    """The roles whose permissions include `perm`, from the table: to tell a user who can do
    what they may not."""
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]
