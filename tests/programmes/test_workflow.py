"""The base's workflow transition (check, state through `apply_changes`, history row, audit
entry) and the base's writes that are audited now: a member taken off the team, an earlier
invitation withdrawn by a new one."""

import pytest
from django.core.exceptions import ValidationError

from patrols.models import Signal, SignalEvent
from patrols.services.signals import SIGNAL_WORKFLOW
from patrols.workflow import Status, check_transition
from programmes import services
from programmes.models import AuditEntry, Invitation, TeamMember
from programmes.permissions import Role
from programmes.services.workflow import workflow_transition

from ..builders import report_signal


def _entries(action, obj=None):
    entries = AuditEntry.objects.filter(action=action)
    if obj is not None:
        entries = entries.filter(object_id=str(obj.pk))
    return list(entries)


def test_a_transition_sets_the_state_appends_history_and_audits(world, team):
    staff = world.users[Role.CLIENT_STAFF]
    signal = report_signal(team, description="Grofvuil bij de flat")
    previous = workflow_transition(
        workflow=SIGNAL_WORKFLOW,
        obj=Signal.objects.select_for_update().get(pk=signal.pk),
        actor=staff,
        new=Status.IN_PROGRESS,
        check=lambda current, new: check_transition(current, new, ""),
        history={"text": "Opgepakt"},
    )
    assert previous == Status.NEW
    signal.refresh_from_db()
    assert signal.status == Status.IN_PROGRESS
    step = SignalEvent.objects.filter(signal=signal).last()
    assert (step.from_status, step.to_status, step.actor, step.text) == (
        Status.NEW,
        Status.IN_PROGRESS,
        staff,
        "Opgepakt",
    )
    (entry,) = _entries("signal.in_progress", signal)
    assert entry.actor == staff and entry.data == {"from": Status.NEW}


def test_a_refused_move_writes_nothing(world, team):
    signal = report_signal(team, description="Grofvuil bij de flat")
    steps = SignalEvent.objects.filter(signal=signal).count()
    with pytest.raises(ValidationError) as err:
        workflow_transition(
            workflow=SIGNAL_WORKFLOW,
            obj=Signal.objects.get(pk=signal.pk),
            actor=world.users[Role.CLIENT_STAFF],
            new=Status.RESOLVED,
            check=lambda current, new: check_transition(current, new, ""),
        )
    assert "text" in err.value.message_dict  # the app's own message: say what was done
    signal.refresh_from_db()
    assert signal.status == Status.NEW
    assert SignalEvent.objects.filter(signal=signal).count() == steps
    assert not _entries("signal.resolved")


def test_a_transition_sets_only_the_fields_it_names(world, team):
    signal = report_signal(team, description="Grofvuil bij de flat")
    with pytest.raises(TypeError, match="unknown fields"):
        workflow_transition(
            workflow=SIGNAL_WORKFLOW,
            obj=Signal.objects.get(pk=signal.pk),
            actor=None,
            new=Status.IN_PROGRESS,
            check=None,
            fields={"description": "overschreven"},
        )


def test_the_first_history_row_of_a_report(team):
    signal = report_signal(team, description="Grofvuil bij de flat")
    (step,) = SignalEvent.objects.filter(signal=signal)
    assert (step.from_status, step.to_status, step.actor) == ("", Status.NEW, team[1])


def test_taking_a_member_off_the_team_is_audited(world, team):
    programme, member, _ = team
    leader = world.users[Role.PROJECT_LEADER]
    row = TeamMember.objects.get(programme=programme, user=member)
    services.team_member_remove(actor=leader, member=row)
    services.team_member_remove(actor=leader, member=row)  # already off: nothing new
    row.refresh_from_db()
    assert not row.is_active
    (entry,) = _entries("team.member_removed", row)
    assert entry.actor == leader
    services.team_member_add(actor=leader, programme=programme, user=member)
    row.refresh_from_db()
    assert row.is_active and len(_entries("team.member_added", row)) == 2


def test_a_new_invitation_withdraws_the_earlier_one_in_the_audit_log(world, unscoped):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    first = services.invitation_create(
        actor=admin,
        organisation=world.client,
        email="nieuw@example.org",
        name="Nieuw",
        role=Role.CLIENT_STAFF,
    )
    services.invitation_create(
        actor=admin,
        organisation=world.client,
        email="Nieuw@example.org",
        name="Nieuw",
        role=Role.CLIENT_STAFF,
    )
    first.refresh_from_db()
    assert first.status == Invitation.Status.REVOKED
    (entry,) = _entries("invitation.revoked", first)
    assert entry.actor == admin and entry.data == {"replaced": True}
