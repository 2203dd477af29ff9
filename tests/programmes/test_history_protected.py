"""Deleting a client or a programme never takes its history with it: the keys of the rows
that carry history are PROTECT, so the delete is refused, naming what holds it. A programme
ends by being closed; a person's data goes by the explicit, logged erasure. (Deleting an
account keeps the history too, by SET_NULL: tests/programmes/test_account_deletion.py.)"""

import uuid

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from patrols import services as patrols
from patrols.models import Round, Signal
from programmes.audit import audit_log
from programmes.models import Organisation, Programme, ReadEntry, TeamMember
from programmes.permissions import Role
from programmes.services.reads import record_read

from ..builders import report_signal
from ..factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


def _refused(obj) -> set[str]:
    """The models whose rows refused deleting `obj`."""
    with pytest.raises(ProtectedError) as refused:
        obj.delete()
    assert "protected foreign keys" in str(refused.value)
    return {type(o).__name__ for o in refused.value.protected_objects}


def test_a_programme_with_rounds_signals_and_team_cannot_be_deleted(world, team):
    programme, member, _categories = team
    patrols.round_start(
        actor=member, programme=programme, uuid=uuid.uuid4(), started_at=timezone.now()
    )
    signal = report_signal(team, description="Matras")
    blockers = _refused(programme)
    assert {"Round", "Signal", "TeamMember"} <= blockers
    assert Programme.objects.filter(pk=programme.pk).exists()
    assert Signal.objects.filter(pk=signal.pk).exists()
    assert Round.objects.filter(programme=programme).count() == 1
    assert TeamMember.objects.filter(programme=programme).count() == 1


def test_a_client_with_programmes_cannot_be_deleted(world, team):
    assert "Programme" in _refused(world.client)
    assert Organisation.objects.filter(pk=world.client.pk).exists()


def test_a_client_with_only_an_audit_log_or_a_read_log_cannot_be_deleted(world, team, unscoped):
    with_audit = ClientFactory(name="Gemeente Oost", slug="oost", consultancy=world.consultancy)
    audit_log(
        actor=world.users[Role.CONSULTANCY_ADMIN],
        organisation=with_audit,
        action="organisation.updated",
        obj=with_audit,
    )
    assert _refused(with_audit) == {"AuditEntry"}
    with_reads = ClientFactory(name="Gemeente West", slug="west", consultancy=world.consultancy)
    person = UserFactory(email="lid@west.example", role=Role.TEAM_MEMBER, organisation=with_reads)
    record_read(user=world.users[Role.CONSULTANCY_ADMIN], subjects=person, what="member")
    person.delete()  # an account may go (its reads stay, they name no account)
    assert _refused(with_reads) == {"ReadEntry"}
    assert ReadEntry.objects.filter(organisation=with_reads).count() == 1
