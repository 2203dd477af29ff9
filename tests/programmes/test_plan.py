"""Programmes, the intake and the plan of approach."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from programmes import services
from programmes.calendar import add_working_days, working_day
from programmes.models import AuditEntry, Milestone, Phase, TemplateMilestone
from programmes.permissions import Role
from programmes.selectors import plan_status, programme_overview
from programmes.services.plan import DEFAULT_TEMPLATE


def test_create_programme_gives_leaders_access_and_audits(world, programme, unscoped):
    pl = world.users[Role.PROJECT_LEADER]
    assert world.client in pl.assigned_clients.all()
    assert programme.postcode_areas == "3031, 3032"
    assert AuditEntry.objects.filter(
        action="programme.created", object_id=str(programme.pk)
    ).exists()


def test_programme_people_must_fit(world, other_world, unscoped):
    base = dict(
        client=world.client,
        name="X",
        neighbourhood="N",
        municipality="M",
        start_date=dt.date(2026, 1, 5),
    )
    with pytest.raises(ValidationError):
        services.programme_create(actor=None, project_leaders=[], **base)
    with pytest.raises(ValidationError):
        services.programme_create(
            actor=None, project_leaders=[other_world.users[Role.PROJECT_LEADER]], **base
        )
    with pytest.raises(ValidationError):
        services.programme_create(
            actor=None,
            project_leaders=[world.users[Role.PROJECT_LEADER]],
            client_contacts=[other_world.users[Role.CLIENT_STAFF]],
            **base,
        )
    with pytest.raises(ValidationError):
        services.programme_create(
            actor=None,
            project_leaders=[world.users[Role.PROJECT_LEADER]],
            postcode_areas="30x1",
            **{k: v for k, v in base.items()},
        )


def test_plan_generated_from_template_over_three_months(world, programme, unscoped):
    milestones = services.plan_generate(actor=world.users[Role.PROJECT_LEADER], programme=programme)
    assert len(milestones) == len(DEFAULT_TEMPLATE)
    start = programme.start_date
    dues = sorted(m.due_date for m in milestones)
    assert dues[0] == start
    assert dues[-1] <= start + dt.timedelta(days=93)  # 3 months, plus a weekend shift
    assert all(m.due_date.weekday() < 5 for m in milestones)
    assert {m.phase for m in milestones} == set(Phase.values)
    # Titles come from the consultancy's own (Dutch) template.
    template = TemplateMilestone.objects.filter(organisation=world.consultancy)
    assert template.count() == len(DEFAULT_TEMPLATE)
    assert {m.title for m in milestones} == {t.title for t in template}
    assert "Intakegesprek met de opdrachtgever" in {m.title for m in milestones}
    with pytest.raises(ValidationError):
        services.plan_generate(actor=None, programme=programme)
    again = services.plan_generate(actor=None, programme=programme, replace=True)
    assert Milestone.objects.filter(programme=programme).count() == len(again)


def test_edited_template_is_used(world, programme, unscoped):
    services.plan_template_save(
        actor=world.users[Role.CONSULTANCY_ADMIN],
        consultancy=world.consultancy,
        rows=[{"phase": "recruitment", "title": "Flyers", "offset_days": 5}],  # a Saturday
    )
    (only,) = services.plan_generate(actor=None, programme=programme)
    assert only.title == "Flyers" and only.due_date == dt.date(2026, 9, 14)  # moved to Monday
    with pytest.raises(ValidationError):
        services.plan_template_save(actor=None, consultancy=world.consultancy, rows=[])


def test_working_days():
    assert working_day(dt.date(2026, 11, 21)) == dt.date(2026, 11, 23)  # Saturday -> Monday
    assert working_day(dt.date(2026, 11, 24)) == dt.date(2026, 11, 24)
    assert add_working_days(dt.date(2026, 11, 20), 1) == dt.date(2026, 11, 23)  # Fri + 1
    assert add_working_days(dt.date(2026, 11, 23), 5) == dt.date(2026, 11, 30)
    assert add_working_days(dt.date(2026, 11, 21), 0) == dt.date(2026, 11, 21)


def test_overdue_and_current_phase(world, programme, unscoped):
    today = timezone.localdate()
    pl = world.users[Role.PROJECT_LEADER]
    late = services.milestone_create(
        actor=pl,
        programme=programme,
        phase="recruitment",
        title="Late",
        due_date=today - dt.timedelta(days=1),
    )
    services.milestone_create(
        actor=pl,
        programme=programme,
        phase="training",
        title="Later",
        due_date=today + dt.timedelta(days=10),
    )
    due_today = services.milestone_create(
        actor=pl, programme=programme, phase="recruitment", title="Today", due_date=today
    )
    status = plan_status(programme.milestones.all())
    assert (status.total, status.done, status.overdue, status.phase) == (3, 0, 1, "recruitment")
    assert late.is_overdue and not due_today.is_overdue
    services.milestone_set_done(actor=pl, milestone=late, done=True)
    services.milestone_set_done(actor=pl, milestone=due_today, done=True)
    status = plan_status(programme.milestones.all())
    assert (status.done, status.overdue, status.phase, status.percent) == (2, 0, "training", 67)
    assert AuditEntry.objects.filter(action="milestone.done").count() == 2


def test_move_and_remove_milestone(world, programme, unscoped):
    pl = world.users[Role.PROJECT_LEADER]
    m = services.milestone_create(
        actor=pl,
        programme=programme,
        phase="kickoff",
        title="Aftrap",
        due_date=dt.date(2026, 11, 20),
    )
    services.milestone_update(
        actor=pl, milestone=m, due_date=dt.date(2026, 11, 27), owner=world.users[Role.CLIENT_STAFF]
    )
    entry = AuditEntry.objects.get(action="milestone.updated")
    assert entry.data["moved"] == ["2026-11-20", "2026-11-27"]
    services.milestone_delete(actor=pl, milestone=m)
    assert not Milestone.objects.filter(pk=m.pk).exists()


def test_milestone_owner_from_other_tenant_refused(world, other_world, programme, unscoped):
    with pytest.raises(ValidationError):
        services.milestone_create(
            actor=None,
            programme=programme,
            phase="kickoff",
            title="X",
            due_date=dt.date(2026, 10, 1),
            owner=other_world.users[Role.CLIENT_STAFF],
        )


def test_intake_saved_and_completed(world, programme, unscoped):
    pl = world.users[Role.PROJECT_LEADER]
    with pytest.raises(ValidationError):
        services.programme_intake_save(
            actor=pl,
            programme=programme,
            vision="",
            starting_points="",
            goals=[],
            partners=[],
            complete=True,
        )
    services.programme_intake_save(
        actor=pl,
        programme=programme,
        vision="Een schone, veilige wijk.",
        starting_points="Vrijwillig",
        goals=[{"description": "Minder grofvuil", "measure": "-30% meldingen"}],
        partners=[
            {
                "name": "Henk",
                "partner_organisation": "Woonstichting",
                "role": "caretaker",
                "email": "henk@example.org",
                "phone": "",
            }
        ],
        complete=True,
    )
    programme.refresh_from_db()
    assert programme.intake_completed_at is not None
    assert [g.description for g in programme.goals.all()] == ["Minder grofvuil"]
    assert programme.partners.get().role == "caretaker"
    with pytest.raises(ValidationError):
        services.programme_intake_save(
            actor=pl,
            programme=programme,
            vision="v",
            starting_points="",
            goals=[],
            partners=[{"name": "X", "role": "nonsense"}],
        )


def test_overview_of_many_programmes(world, programme, unscoped):
    services.plan_generate(actor=None, programme=programme)
    overview = programme_overview([programme])
    assert overview[programme.pk].total == len(DEFAULT_TEMPLATE)
