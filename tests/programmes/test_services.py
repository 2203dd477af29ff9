"""Services of the base app: organisations, invitations, accounts, audit entries."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled

from programmes import services
from programmes.models import AuditEntry, Invitation, Organisation, User
from programmes.permissions import Role


@pytest.fixture
def unscoped():
    with scopes_disabled():
        yield


def _token(mail) -> str:
    return re.search(r"/invitation/[\w-]+/([\w-]+)/", mail.body).group(1)


def test_organisation_create_audits_and_slugs(world, unscoped):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    org = services.organisation_create(
        actor=admin, consultancy=world.consultancy, name="Gemeente Noord", kind="municipality"
    )
    again = services.organisation_create(
        actor=admin, consultancy=world.consultancy, name="Gemeente Noord", kind="municipality"
    )
    assert org.slug == "gemeente-noord" and again.slug == "gemeente-noord-2"
    entry = AuditEntry.objects.get(object_id=str(org.pk), action="organisation.created")
    assert entry.actor == admin and entry.organisation == org


def test_organisation_create_rejects_bad_colour_and_consultancy_kind(world, unscoped):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    with pytest.raises(ValidationError) as err:
        services.organisation_create(
            actor=admin, consultancy=world.consultancy, name="X", kind="other", brand_colour="red"
        )
    assert "brand_colour" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.organisation_create(
            actor=admin, consultancy=world.consultancy, name="Y", kind="consultancy"
        )
    assert not Organisation.objects.filter(name__in=["X", "Y"]).exists()


def test_organisation_update_records_changed_fields_only(world, unscoped):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    services.organisation_update(
        actor=admin, organisation=world.client, city="Zwolle", name=world.client.name
    )
    entry = AuditEntry.objects.get(action="organisation.updated")
    assert entry.data == {"fields": ["city"]}
    services.organisation_update(actor=admin, organisation=world.client, city="Zwolle")
    assert AuditEntry.objects.filter(action="organisation.updated").count() == 1


def test_invitation_stores_only_a_hash_and_mails_the_link(
    world, unscoped, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        inv = services.invitation_create(
            actor=world.users[Role.CONSULTANCY_ADMIN],
            organisation=world.client,
            email="Nieuw@Example.org",
            name="Nieuw",
            role=Role.CLIENT_STAFF,
        )
    assert inv.email == "nieuw@example.org"
    assert len(mailoutbox) == 1
    token = _token(mailoutbox[0])
    assert len(token) >= 40 and token not in inv.token_hash
    assert services.invitation_by_token(token=token) == inv
    assert services.invitation_by_token(token=token[:-1] + "x") is None
    assert mailoutbox[0].alternatives and "Gemeente noord" in mailoutbox[0].subject


def test_no_mail_when_the_transaction_rolls_back(
    world, unscoped, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.invitation_create(
            actor=world.users[Role.CONSULTANCY_ADMIN],
            organisation=world.client,
            email="x@example.org",
            name="X",
            role=Role.CLIENT_STAFF,
        )
    assert len(callbacks) == 1 and mailoutbox == []


def test_invitation_role_must_fit_organisation(world, unscoped):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    with pytest.raises(ValidationError):
        services.invitation_create(
            actor=admin,
            organisation=world.client,
            email="a@example.org",
            name="A",
            role=Role.PROJECT_LEADER,
        )
    with pytest.raises(ValidationError):
        services.invitation_create(
            actor=admin,
            organisation=world.consultancy,
            email="b@example.org",
            name="B",
            role=Role.TEAM_MEMBER,
        )


def test_invitation_for_existing_account_is_refused(world, unscoped):
    with pytest.raises(ValidationError):
        services.invitation_create(
            actor=world.users[Role.CONSULTANCY_ADMIN],
            organisation=world.client,
            email=world.users[Role.CLIENT_STAFF].email.upper(),
            name="Dubbel",
            role=Role.CLIENT_STAFF,
        )


def test_accept_creates_account_once(
    world, unscoped, mailoutbox, django_capture_on_commit_callbacks
):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    with django_capture_on_commit_callbacks(execute=True):
        inv = services.invitation_create(
            actor=admin,
            organisation=world.consultancy,
            email="pl2@example.org",
            name="PL Twee",
            role=Role.PROJECT_LEADER,
            assigned_clients=[world.other_client],
        )
    user = services.invitation_accept(invitation=inv, name="Petra", password="x-Long-password-9")
    assert user.role == Role.PROJECT_LEADER and user.organisation == world.consultancy
    assert list(user.assigned_clients.all()) == [world.other_client]
    assert user.check_password("x-Long-password-9")
    inv.refresh_from_db()
    assert inv.status == Invitation.Status.ACCEPTED and inv.user == user
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=inv, name="Again", password="x-Long-password-9")
    assert User.objects.filter(email="pl2@example.org").count() == 1
    assert AuditEntry.objects.filter(action="invitation.accepted", actor=user).exists()


def test_expired_and_revoked_invitations_cannot_be_accepted(world, unscoped):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    inv = services.invitation_create(
        actor=admin,
        organisation=world.client,
        email="late@example.org",
        name="Laat",
        role=Role.CLIENT_STAFF,
    )
    Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    inv.refresh_from_db()
    assert inv.status == Invitation.Status.EXPIRED
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=inv, name="Laat", password="x-Long-password-9")
    services.invitation_resend(actor=admin, invitation=inv)
    inv.refresh_from_db()
    assert inv.status == Invitation.Status.PENDING
    services.invitation_revoke(actor=admin, invitation=inv)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=inv, name="Laat", password="x-Long-password-9")
    with pytest.raises(ValidationError):
        services.invitation_resend(actor=admin, invitation=inv)


def test_resend_rotates_the_link(world, unscoped, mailoutbox, django_capture_on_commit_callbacks):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    with django_capture_on_commit_callbacks(execute=True):
        inv = services.invitation_create(
            actor=admin,
            organisation=world.client,
            email="r@example.org",
            name="R",
            role=Role.CLIENT_STAFF,
        )
        services.invitation_resend(actor=admin, invitation=inv)
    first, second = _token(mailoutbox[0]), _token(mailoutbox[1])
    assert first != second
    assert services.invitation_by_token(token=first) is None
    assert services.invitation_by_token(token=second) == inv


def test_new_invitation_revokes_the_open_one(world, unscoped):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    first = services.invitation_create(
        actor=admin,
        organisation=world.client,
        email="twice@example.org",
        name="T",
        role=Role.CLIENT_STAFF,
    )
    services.invitation_create(
        actor=admin,
        organisation=world.client,
        email="twice@example.org",
        name="T",
        role=Role.CLIENT_STAFF,
    )
    first.refresh_from_db()
    assert first.status == Invitation.Status.REVOKED


def test_block_user_audited_and_not_self(world, unscoped):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    staff = world.users[Role.CLIENT_STAFF]
    services.user_set_active(actor=admin, user=staff, active=False)
    staff.refresh_from_db()
    assert not staff.is_active
    assert AuditEntry.objects.filter(action="user.blocked", object_id=str(staff.pk)).exists()
    with pytest.raises(ValidationError):
        services.user_set_active(actor=admin, user=admin, active=False)
