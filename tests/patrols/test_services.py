"""Rounds, signals, conversations, follow-up and effort: the services behind the phone app."""

import datetime as dt
import io
import threading
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from patrols import services as patrols
from patrols.models import Conversation, Round, Signal, SignalEvent
from patrols.workflow import Status
from programmes.models import OutboxMessage
from programmes.permissions import Role

from ..factories import UserFactory


def _at(*args):
    return timezone.make_aware(dt.datetime(*args))


def _signal(team, **overrides):
    programme, member, categories = team
    data = dict(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=categories[0],
        description="Matras bij de container",
        reported_at=_at(2026, 11, 20, 10, 0),
        street="Lindelaan",
        house_number="12",
    )
    data.update(overrides)
    return patrols.signal_report(**data)


def test_default_categories_in_two_levels(team):
    _, _, categories = team
    names = [c.name for c in categories]
    assert "Zwerfvuil en grofvuil" in names and "Onveilige situatie" in names
    assert any(c.parent_id for c in categories)


def test_identical_resend_is_stored_once(team):
    record_id = uuid.uuid4()
    first, created = _signal(team, uuid=record_id)
    again, created_again = _signal(team, uuid=record_id)
    assert created and not created_again and first.pk == again.pk
    assert Signal.objects.filter(uuid=record_id).count() == 1


def test_other_content_under_the_same_id_is_a_conflict(team):
    record_id = uuid.uuid4()
    _signal(team, uuid=record_id)
    with pytest.raises(patrols.Conflict):
        _signal(team, uuid=record_id, description="Iets anders")


def test_id_of_another_tenant_is_a_conflict(team, other_world):
    record_id = uuid.uuid4()
    _signal(team, uuid=record_id)
    from programmes import services

    pl = other_world.users[Role.PROJECT_LEADER]
    programme = services.programme_create(
        actor=pl,
        client=other_world.client,
        project_leaders=[pl],
        name="Zuid",
        neighbourhood="Z",
        municipality="Z",
        start_date=dt.date(2026, 9, 7),
    )
    member = other_world.users[Role.TEAM_MEMBER]
    roster = services.team_member_add(actor=pl, programme=programme, user=member)
    services.team_member_set_ready(actor=pl, member=roster, ready=True)
    categories = patrols.categories_ensure(programme=programme)
    from django_scopes import scope

    with scope(organisation=other_world.client.pk), pytest.raises(patrols.Conflict):
        patrols.signal_report(
            actor=member,
            programme=programme,
            uuid=record_id,
            category=categories[0],
            description="Matras bij de container",
            reported_at=_at(2026, 11, 20, 10, 0),
            street="Lindelaan",
            house_number="12",
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_submissions_leave_one_row(world):
    """Two requests with the same record at the same moment: one row, both answered."""
    from django_scopes import scopes_disabled

    with scopes_disabled():
        from programmes import services

        pl = world.users[Role.PROJECT_LEADER]
        programme = services.programme_create(
            actor=pl,
            client=world.client,
            project_leaders=[pl],
            name="Team",
            neighbourhood="N",
            municipality="M",
            start_date=dt.date(2026, 9, 7),
        )
        member = world.users[Role.TEAM_MEMBER]
        roster = services.team_member_add(actor=pl, programme=programme, user=member)
        services.team_member_set_ready(actor=pl, member=roster, ready=True)
        category = patrols.categories_ensure(programme=programme)[0]
    record_id = uuid.uuid4()
    results, errors = [], []
    barrier = threading.Barrier(2)

    def submit():
        try:
            with scopes_disabled():
                barrier.wait()
                results.append(
                    patrols.signal_report(
                        actor=member,
                        programme=programme,
                        uuid=record_id,
                        category=category,
                        description="Lekkage",
                        reported_at=_at(2026, 11, 20, 9, 0),
                        street="Dorpsstraat",
                    )
                )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with scopes_disabled():
        assert Signal.objects.filter(uuid=record_id).count() == 1
    assert sorted(created for _, created in results) == [False, True]
    assert results[0][0].pk == results[1][0].pk


def test_place_and_description_are_optional(team):
    """A signal is never held back on the phone for want of a place: the client sees that none
    was given. Half a position is refused."""
    bare, _ = _signal(team, street="", house_number="", description="")
    assert bare.street == "" and bare.latitude is None and bare.description == ""
    signal, _ = _signal(team, street="", latitude=52.0907, longitude=5.1214)
    assert signal.latitude is not None
    with pytest.raises(ValidationError):
        _signal(team, street="", latitude=52.0907)


def test_only_team_members_report(team, world):
    with pytest.raises(PermissionDenied):
        _signal(team, actor=world.users[Role.CLIENT_STAFF])


def test_handling_time_in_working_days(team):
    programme, member, categories = team
    unsafe = next(c for c in categories if c.name == "Onveilige situatie")  # 1 working day
    signal, _ = _signal(team, category=unsafe, reported_at=_at(2026, 11, 20, 16, 0))  # Friday
    assert signal.due_date == dt.date(2026, 11, 23)  # Monday
    old, _ = _signal(team, category=unsafe, reported_at=timezone.now() - dt.timedelta(days=10))
    assert old.is_overdue
    fresh, _ = _signal(team, category=categories[0], reported_at=timezone.now())
    assert not fresh.is_overdue


def test_workflow_allowed_and_refused(team, world):
    signal, _ = _signal(team)
    staff = world.users[Role.CLIENT_STAFF]
    signal = patrols.signal_transition(
        actor=staff, signal=signal, status=Status.IN_PROGRESS, assigned_to=staff
    )
    with pytest.raises(ValidationError) as err:
        patrols.signal_transition(actor=staff, signal=signal, status=Status.RESOLVED, text="  ")
    assert "text" in err.value.message_dict
    signal = patrols.signal_transition(
        actor=staff, signal=signal, status=Status.RESOLVED, text="Opgehaald"
    )
    assert signal.closed_at is not None
    with pytest.raises(ValidationError):
        patrols.signal_transition(actor=staff, signal=signal, status=Status.FORWARDED)
    signal = patrols.signal_transition(
        actor=staff, signal=signal, status=Status.IN_PROGRESS
    )  # reopen
    assert signal.closed_at is None
    history = list(
        SignalEvent.objects.filter(signal=signal).values_list("from_status", "to_status")
    )
    assert history == [
        ("", "new"),
        ("new", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "in_progress"),
    ]


def test_reporter_hears_when_resolved(team, world, mailoutbox, django_capture_on_commit_callbacks):
    signal, _ = _signal(team)
    with django_capture_on_commit_callbacks(execute=True):
        patrols.signal_transition(
            actor=world.users[Role.CLIENT_STAFF],
            signal=signal,
            status=Status.RESOLVED,
            text="Opgehaald",
        )
    assert [m.to for m in mailoutbox] == [[f"{team[1].name} <{team[1].email}>"]]
    assert "Opgehaald" in mailoutbox[0].body


def test_assign_only_to_a_colleague(team, world, other_world):
    signal, _ = _signal(team)
    with pytest.raises(ValidationError):
        patrols.signal_transition(
            actor=world.users[Role.CLIENT_STAFF],
            signal=signal,
            status=Status.IN_PROGRESS,
            assigned_to=other_world.users[Role.CLIENT_STAFF],
        )


def test_aggression_alerts_the_project_leader(team, world, django_capture_on_commit_callbacks):
    programme, member, _ = team
    with django_capture_on_commit_callbacks(execute=True):
        conversation, _ = patrols.conversation_report(
            actor=member,
            programme=programme,
            uuid=uuid.uuid4(),
            topic="noise",
            outcome="bad",
            aggression=True,
            reported_at=timezone.now(),
        )
    alert = OutboxMessage.objects.get(template="patrols/aggression_alert")
    assert alert.to_email == world.users[Role.PROJECT_LEADER].email
    assert alert.status == OutboxMessage.Status.SENT
    calm, _ = patrols.conversation_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        topic="litter",
        outcome="good",
        reported_at=timezone.now(),
    )
    assert OutboxMessage.objects.filter(template="patrols/aggression_alert").count() == 1
    assert Conversation.objects.count() == 2


def test_round_start_and_end_idempotent(team, world):
    programme, member, _ = team
    round_id = uuid.uuid4()
    round_, created = patrols.round_start(
        actor=member, programme=programme, uuid=round_id, started_at=_at(2026, 11, 20, 19, 0)
    )
    again, created_again = patrols.round_start(
        actor=member, programme=programme, uuid=round_id, started_at=_at(2026, 11, 20, 19, 0)
    )
    assert created and not created_again and round_.pk == again.pk
    patrols.round_end(actor=member, round_=round_, ended_at=_at(2026, 11, 20, 20, 30))
    patrols.round_end(actor=member, round_=round_, ended_at=_at(2026, 11, 20, 20, 30))
    with pytest.raises(patrols.Conflict):
        patrols.round_end(actor=member, round_=round_, ended_at=_at(2026, 11, 20, 21, 0))
    assert Round.objects.get(pk=round_.pk).duration == dt.timedelta(hours=1, minutes=30)
    with pytest.raises(ValidationError):
        patrols.round_start(
            actor=member,
            programme=programme,
            uuid=uuid.uuid4(),
            started_at=_at(2026, 11, 21, 19, 0),
            walkers=[world.users[Role.CLIENT_STAFF]],
        )


def test_effort_across_a_month_boundary(team, world):
    programme, member, _ = team
    from patrols.models import EffortRule

    EffortRule.objects.create(
        organisation=programme.organisation, programme=programme, min_rounds=2, min_hours=2
    )
    late, _ = patrols.round_start(
        actor=member, programme=programme, uuid=uuid.uuid4(), started_at=_at(2026, 10, 31, 23, 0)
    )
    patrols.round_end(actor=member, round_=late, ended_at=_at(2026, 11, 1, 1, 0))
    second, _ = patrols.round_start(
        actor=member, programme=programme, uuid=uuid.uuid4(), started_at=_at(2026, 11, 5, 19, 0)
    )
    patrols.round_end(actor=member, round_=second, ended_at=_at(2026, 11, 5, 20, 30))
    (october,) = patrols.effort_for_month(programme=programme, year=2026, month=10)
    (november,) = patrols.effort_for_month(programme=programme, year=2026, month=11)
    assert (october.rounds, october.hours) == (1, 1.0)
    assert (november.rounds, november.hours) == (1, 2.5)
    assert not october.met and not november.met  # November: 2.5 h but only 1 round started
    third, _ = patrols.round_start(
        actor=member, programme=programme, uuid=uuid.uuid4(), started_at=_at(2026, 11, 12, 19, 0)
    )
    patrols.round_end(actor=member, round_=third, ended_at=_at(2026, 11, 12, 19, 30))
    (november,) = patrols.effort_for_month(programme=programme, year=2026, month=11)
    assert (november.rounds, november.hours, november.met) == (2, 3.0, True)


def test_signup_needs_readiness(team, world):
    programme, member, _ = team
    from programmes.models import TeamMember

    (slot,) = patrols.round_slot_create(
        actor=world.users[Role.PROJECT_LEADER],
        programme=programme,
        starts_at=timezone.now() + dt.timedelta(days=2),
        meeting_point="Buurthuis",
    )
    assert patrols.round_signup(actor=member, slot=slot)
    newcomer = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client)
    from programmes import services

    services.team_member_add(actor=None, programme=programme, user=newcomer)
    with pytest.raises(ValidationError):
        patrols.round_signup(actor=newcomer, slot=slot)
    services.team_member_set_ready(
        actor=world.users[Role.PROJECT_LEADER],
        member=TeamMember.objects.get(user=newcomer),
        ready=True,
        reason="Ervaren vrijwilliger",
    )
    assert patrols.round_signup(actor=newcomer, slot=slot)


def test_weekly_pattern_keeps_the_wall_clock_time(team, world):
    programme, _, _ = team
    slots = patrols.round_slot_create(
        actor=world.users[Role.PROJECT_LEADER],
        programme=programme,
        starts_at=_at(2026, 10, 20, 19, 0),
        meeting_point="Plein",
        weeks=3,  # across 25 Oct
    )
    assert [timezone.localtime(s.starts_at).hour for s in slots] == [19, 19, 19]
    assert [timezone.localtime(s.starts_at).date() for s in slots] == [
        dt.date(2026, 10, 20),
        dt.date(2026, 10, 27),
        dt.date(2026, 11, 3),
    ]


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (800, 600), "#558855")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 5.0, 30.0), 3: "E", 4: (5.0, 7.0, 15.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_photo_is_reencoded_without_location(team, django_capture_on_commit_callbacks):
    signal, _ = _signal(team)
    raw = _jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the upload has GPS data
    # Re-encoded by a task queued after commit: here, at the end of the block.
    with django_capture_on_commit_callbacks(execute=True):
        photo, created = patrols.signal_photo_add(
            actor=team[1],
            signal=signal,
            uuid=uuid.uuid4(),
            upload=SimpleUploadedFile("IMG_0001.jpg", raw, content_type="image/jpeg"),
        )
    photo.refresh_from_db()
    with photo.image.open("rb") as fh:
        stored = Image.open(io.BytesIO(fh.read()))
        assert stored.format == "JPEG" and not stored.getexif().get_ifd(0x8825)
    assert (photo.width, photo.height) == (800, 600)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("foto.jpg", b"%PDF-1.4 this is not an image", "geen afbeelding die we kunnen lezen"),
        ("groot.png", None, "te veel pixels"),
        (
            "plaatje.gif",
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
            "Upload een afbeelding van een van deze soorten: JPEG, PNG, HEIC.",
        ),
    ],
)
def test_bad_uploads_get_clear_dutch_messages(team, name, content, message):
    if content is None:
        out = io.BytesIO()
        Image.new("1", (20000, 20000)).save(out, format="PNG")
        content = out.getvalue()
    signal, _ = _signal(team)
    from django.utils import translation

    with translation.override("nl"), pytest.raises(ValidationError) as err:
        patrols.signal_photo_add(
            actor=team[1],
            signal=signal,
            uuid=uuid.uuid4(),
            upload=SimpleUploadedFile(name, content, content_type="image/jpeg"),
        )
    assert message in " ".join(err.value.messages)
