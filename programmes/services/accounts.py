"""Every write of the base app: organisations, invitations and accounts.

Each service takes keyword arguments, runs in one transaction, validates with `full_clean()`
before saving, writes an audit entry for each state change and queues mail only after commit.
"""

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..files import file_delete_on_commit
from ..links import reverse_absolute
from ..mail import mail_queue
from ..models import Invitation, Organisation, User
from ..permissions import CONSULTANCY_ROLES, Role
from .common import apply_changes
from .programmes import team_member_add

ORGANISATION_FIELDS = (
    "name",
    "kind",
    "logo",
    "brand_colour",
    "street_address",
    "postcode",
    "city",
    "contact_name",
    "contact_email",
    "contact_phone",
    "privacy_statement_url",
)


REVOKED = ("revoked_at",)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "organisatie"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(*, actor: User, consultancy: Organisation, **fields) -> Organisation:
    """Create a client organisation of `consultancy`."""
    if set(fields) - set(ORGANISATION_FIELDS):
        raise TypeError(f"unknown fields: {sorted(set(fields) - set(ORGANISATION_FIELDS))}")
    if fields.get("kind") == Organisation.Kind.CONSULTANCY:
        raise ValidationError({"kind": _("A client cannot be a consultancy.")})
    org = Organisation(consultancy=consultancy, slug=_unique_slug(fields.get("name", "")), **fields)
    org.full_clean()
    org.save()
    audit_log(
        actor=actor,
        organisation=org,
        action="organisation.created",
        obj=org,
        data={"name": org.name, "kind": org.kind},
    )
    return org


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, **fields) -> Organisation:
    """Change an organisation's details; the audit entry lists the fields that changed. A
    replaced logo's file is removed once the change is committed."""
    old_logo = organisation.logo.name
    changed = apply_changes(organisation, fields, allowed=ORGANISATION_FIELDS)
    if not changed:
        return organisation
    organisation.full_clean()
    organisation.save(update_fields=changed)
    if "logo" in changed and old_logo and old_logo != organisation.logo.name:
        file_delete_on_commit(old_logo)
    audit_log(
        actor=actor,
        organisation=organisation,
        action="organisation.updated",
        obj=organisation,
        data={"fields": changed},
    )
    return organisation


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _invitation_check_role(*, organisation: Organisation, role: str) -> None:
    if role in CONSULTANCY_ROLES and not organisation.is_consultancy:
        raise ValidationError(
            {"organisation": _("Consultancy staff belong to the consultancy itself.")}
        )
    if role not in CONSULTANCY_ROLES and organisation.is_consultancy:
        raise ValidationError(
            {"organisation": _("Client staff and team members belong to a client organisation.")}
        )


def _invitation_send(*, invitation: Invitation, token: str) -> None:
    link = reverse_absolute(
        "invitation_accept", kwargs={"org": invitation.organisation.slug, "token": token}
    )
    mail_queue(
        organisation=invitation.organisation,
        to=invitation.email,
        to_name=invitation.name,
        template="programmes/invitation",
        language=invitation.language,
        context={
            "invitation": invitation,
            "organisation": invitation.organisation,
            "link": link,
            "role": Role(invitation.role).label,
            "valid_days": settings.INVITATION_VALID_DAYS,
        },
    )


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    organisation: Organisation,
    email: str,
    name: str,
    role: str,
    language: str = "nl",
    assigned_clients=(),
    programme=None,
) -> Invitation:
    """Invite someone by e-mail to an account with `role` in `organisation`.

    A person with an account cannot be invited again; an earlier open invitation to the same
    address is revoked so only the newest link works.
    """
    email = email.strip().lower()
    _invitation_check_role(organisation=organisation, role=role)
    if role == Role.TEAM_MEMBER:
        if programme is None or programme.organisation_id != organisation.pk:
            raise ValidationError(
                {"programme": _("Choose the programme whose team this person joins.")}
            )
    else:
        programme = None
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("There is already an account with this e-mail address.")})
    now = timezone.now()
    for earlier in Invitation.objects.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ):
        earlier.save(update_fields=apply_changes(earlier, {"revoked_at": now}, allowed=REVOKED))
        audit_log(
            actor=actor,
            organisation=earlier.organisation,
            action="invitation.revoked",
            obj=earlier,
            data={"replaced": True},
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation=organisation,
        email=email,
        name=name.strip(),
        role=role,
        language=language,
        token_hash=_token_hash(token),
        invited_by=actor,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
        programme=programme,
    )
    invitation.full_clean()
    invitation.save()
    if role == Role.PROJECT_LEADER and assigned_clients:
        if any(c.consultancy_id != organisation.pk for c in assigned_clients):
            raise ValidationError({"assigned_clients": _("Choose clients of this consultancy.")})
        invitation.assigned_clients.set(assigned_clients)
    audit_log(
        actor=actor,
        organisation=organisation,
        action="invitation.created",
        obj=invitation,
        data={"email": email, "role": role},
    )
    _invitation_send(invitation=invitation, token=token)
    return invitation


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Send a fresh link and extend the validity; the previous link stops working."""
    if invitation.status in (Invitation.Status.ACCEPTED, Invitation.Status.REVOKED):
        raise ValidationError(_("This invitation can no longer be sent."))
    token = secrets.token_urlsafe(32)
    changed = apply_changes(
        invitation,
        {
            "token_hash": _token_hash(token),
            "expires_at": timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        },
        allowed=("token_hash", "expires_at"),
    )
    invitation.save(update_fields=changed)
    audit_log(
        actor=actor,
        organisation=invitation.organisation,
        action="invitation.resent",
        obj=invitation,
    )
    _invitation_send(invitation=invitation, token=token)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Withdraw an invitation that has not been accepted."""
    if invitation.status == Invitation.Status.ACCEPTED:
        raise ValidationError(_("This invitation has already been accepted."))
    if invitation.revoked_at is None:
        invitation.save(
            update_fields=apply_changes(invitation, {"revoked_at": timezone.now()}, allowed=REVOKED)
        )
        audit_log(
            actor=actor,
            organisation=invitation.organisation,
            action="invitation.revoked",
            obj=invitation,
        )
    return invitation


def invitation_by_token(*, token: str) -> Invitation | None:
    """The invitation whose link carries `token`, in the active organisation scope, or None."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=_token_hash(token))
        .first()
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, name: str, password: str) -> User:
    """Create the invitee's account from a pending invitation; the link then stops working.

    The row is locked so two simultaneous submissions create one account.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("This invitation can no longer be used."))
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(_("There is already an account with this e-mail address."))
    user = User(
        email=invitation.email,
        name=name.strip() or invitation.name,
        role=invitation.role,
        organisation=invitation.organisation,
        language=invitation.language,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    if invitation.role == Role.PROJECT_LEADER:
        user.assigned_clients.set(invitation.assigned_clients.all())
    if invitation.programme_id:
        team_member_add(actor=user, programme=invitation.programme, user=user)
    # The invitation proved the address: allauth may use it for resets and login codes.
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    invitation.save(
        update_fields=apply_changes(
            invitation,
            {"accepted_at": timezone.now(), "user": user},
            allowed=("accepted_at", "user"),
        )
    )
    audit_log(
        actor=user,
        organisation=invitation.organisation,
        action="invitation.accepted",
        obj=invitation,
    )
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Block or unblock an account; a blocked user cannot log in and loses their sessions."""
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot block your own account."))
    if apply_changes(user, {"is_active": active}, allowed=("is_active",)):
        user.save(update_fields=["is_active"])
        audit_log(
            actor=actor,
            organisation=user.organisation,
            action="user.unblocked" if active else "user.blocked",
            obj=user,
        )
    return user


def user_set_language(*, user: User, language: str) -> None:
    """Remember the interface language; mail to the user is sent in it. Not audited: a
    person's own preference (see `programmes.services.common`)."""
    if language in dict(settings.LANGUAGES):
        changed = apply_changes(user, {"language": language}, allowed=("language",))
        if changed:
            user.save(update_fields=changed)
