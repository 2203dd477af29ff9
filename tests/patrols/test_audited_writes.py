"""The patrols app's writes that leave an audit entry now (a signal's photo, a reward taken
back), the changes that record only what changed, and the signal's status moved through the
base's workflow transition with its history and messages as before."""

import datetime as dt
import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from patrols import services as patrols
from patrols.models import RewardHandout, SignalCategory, SignalEvent
from patrols.workflow import Status
from programmes.models import AuditEntry
from programmes.permissions import Role

from ..builders import report_signal
from ..factories import UserFactory


def _entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("created_at", "id"))


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "#558855").save(out, format="JPEG")
    return out.getvalue()


def test_a_photo_is_audited_once_per_photo(team):
    signal = report_signal(team, description="Grofvuil")
    photo_id = uuid.uuid4()
    for _ in range(2):  # the phone sends it again: stored once, audited once
        patrols.signal_photo_add(
            actor=team[1],
            signal=signal,
            uuid=photo_id,
            upload=SimpleUploadedFile("foto.jpg", _jpeg(), content_type="image/jpeg"),
        )
    (entry,) = _entries("signal.photo_added")
    assert entry.actor == team[1] and entry.object_id == str(signal.pk)
    assert entry.data == {"photo": str(photo_id)}


def test_taking_a_reward_back_is_audited(world, team):
    programme, member, _ = team
    leader = world.users[Role.PROJECT_LEADER]
    staff = world.users[Role.CLIENT_STAFF]
    patrols.effort_rule_save(
        actor=leader, programme=programme, min_rounds=1, min_hours=0, min_team_meetings=0
    )
    started = timezone.localtime() - dt.timedelta(hours=3)
    round_, _ = patrols.round_start(
        actor=member, programme=programme, uuid=uuid.uuid4(), started_at=started
    )
    patrols.round_end(actor=member, round_=round_, ended_at=started + dt.timedelta(hours=1))
    month = {"year": started.year, "month": started.month}
    handout = patrols.reward_hand_out(actor=staff, programme=programme, user=member, **month)
    patrols.reward_hand_out(
        actor=staff, programme=programme, user=member, handed_out=False, **month
    )
    patrols.reward_hand_out(  # nothing left to take back: nothing recorded
        actor=staff, programme=programme, user=member, handed_out=False, **month
    )
    assert not RewardHandout.objects.exists()
    (entry,) = _entries("reward.withdrawn")
    assert entry.actor == staff and entry.object_id == str(handout.pk)
    assert entry.data == {"member": member.pk, "month": f"{started:%Y-%m}-01"}


def test_settings_record_only_what_changed(world, team):
    programme = team[0]
    leader = world.users[Role.PROJECT_LEADER]
    category = SignalCategory.objects.filter(programme=programme).first()
    patrols.category_save(actor=leader, programme=programme, category=category, name=category.name)
    assert not _entries("category.saved")
    patrols.category_save(actor=leader, programme=programme, category=category, is_active=False)
    (entry,) = _entries("category.saved")
    assert entry.data == {"fields": ["is_active"]}
    with pytest.raises(TypeError):  # a field the service does not own
        patrols.category_save(actor=leader, programme=programme, category=category, programme_id=1)
    rule = {"min_rounds": 2, "min_hours": 1, "min_team_meetings": 0, "reward": "Bon"}
    patrols.effort_rule_save(actor=leader, programme=programme, **rule)
    patrols.effort_rule_save(actor=leader, programme=programme, **rule)
    assert len(_entries("effort_rule.saved")) == 1


def test_signal_status_moves_as_before(world, team):
    staff = world.users[Role.CLIENT_STAFF]
    colleague = UserFactory(role=Role.CLIENT_STAFF, organisation=world.client)
    signal = report_signal(team, description="Lamp kapot")
    with pytest.raises(ValidationError) as err:
        patrols.signal_transition(actor=staff, signal=signal, status=Status.NEW)
    assert "status" in err.value.message_dict
    patrols.signal_transition(actor=staff, signal=signal, status=Status.RESOLVED, text="Gemaakt")
    signal.refresh_from_db()
    assert signal.status == Status.RESOLVED and signal.closed_at is not None
    (entry,) = _entries("signal.resolved")
    assert entry.actor == staff and entry.data == {"from": Status.NEW}
    reopened = patrols.signal_transition(
        actor=colleague, signal=signal, status=Status.IN_PROGRESS, assigned_to=colleague
    )
    assert reopened.closed_at is None and reopened.assigned_to == colleague
    # Handed to another colleague without a new status: a step in the history, no move.
    patrols.signal_transition(
        actor=colleague, signal=signal, status=Status.IN_PROGRESS, assigned_to=staff
    )
    steps = list(
        SignalEvent.objects.filter(signal=signal).values_list(
            "from_status", "to_status", "assigned_to"
        )
    )
    assert steps == [
        ("", Status.NEW, None),
        (Status.NEW, Status.RESOLVED, None),
        (Status.RESOLVED, Status.IN_PROGRESS, colleague.pk),
        (Status.IN_PROGRESS, Status.IN_PROGRESS, staff.pk),
    ]
    assert len(_entries("signal.in_progress")) == 2
