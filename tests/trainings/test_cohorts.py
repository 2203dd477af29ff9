"""Newcomer cohorts: a team that keeps walking trains its newcomers in a cohort of their own
(a second track, refused before by one training of each kind per programme), invites only
them, assesses them at their own workshop and gives them the same certificate."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programmes import services as programmes
from programmes.models import TeamMember
from programmes.permissions import Role
from trainings import services
from trainings.models import Certificate, Cohort, Training

from ..factories import UserFactory


def _starts(days):
    start = timezone.now() + dt.timedelta(days=days)
    return {k: start + dt.timedelta(days=i) for i, k in enumerate(Training.Kind.values)}


def test_a_newcomer_cohort_has_its_own_track_and_the_same_certificate(world, team, track):
    programme, founder, _ = team
    leader = world.users[Role.PROJECT_LEADER]
    services.assessment_record(
        actor=leader, training=track[Training.Kind.WORKSHOP], user=founder, passed=True
    )
    newcomer = UserFactory(name="Nadia", role=Role.TEAM_MEMBER, organisation=world.client)
    row = programmes.team_member_add(actor=leader, programme=programme, user=newcomer)
    with pytest.raises(ValidationError):  # the founding track is planned once
        services.track_create(
            actor=leader, programme=programme, starts=_starts(20), location="Buurthuis"
        )
    cohort = services.cohort_create(
        actor=leader,
        programme=programme,
        starts=_starts(30),
        location="Buurthuis",
        trainer="Marieke",
        members=[row],
    )
    assert (cohort.number, list(Cohort.objects.filter(programme=programme).values_list("number", flat=True))) == (2, [1, 2])  # fmt: skip
    row.refresh_from_db()
    assert row.cohort == 2
    assert TeamMember.objects.get(programme=programme, user=founder).cohort == 1
    workshops = Training.objects.filter(programme=programme, kind=Training.Kind.WORKSHOP)
    assert workshops.count() == 2
    second = workshops.get(cohort=cohort)
    assert second.trainer == "Marieke" and f"({cohort.name})" in second.meeting.title
    # Only the cohort's members are invited to its meetings.
    assert services.team_invite(actor=leader, training=second) == 1
    assert [i.user for i in second.meeting.invitees.all()] == [newcomer]
    services.assessment_record(actor=leader, training=second, user=newcomer, passed=True)
    by_holder = {c.user: c for c in Certificate.objects.filter(programme=programme)}
    assert set(by_holder) == {founder, newcomer}
    assert by_holder[newcomer].title == by_holder[founder].title
    assert by_holder[newcomer].assessment.training == second
    # Their progress reads their own cohort's workshop.
    progress = services.track_progress(programme=programme, user_ids=[newcomer.pk])
    assert progress[newcomer.pk]["workshop"] is True


def test_a_cohort_needs_a_founding_track(world, team):
    programme, _member, _ = team
    leader = world.users[Role.PROJECT_LEADER]
    with pytest.raises(ValidationError):
        services.cohort_create(
            actor=leader, programme=programme, starts=_starts(10), location="Buurthuis"
        )
    assert not Cohort.objects.filter(programme=programme).exists()


def test_the_track_page_plans_a_newcomer_cohort(world, team, track, login):
    programme, _founder, _ = team
    leader = world.users[Role.PROJECT_LEADER]
    newcomer = UserFactory(name="Nadia", role=Role.TEAM_MEMBER, organisation=world.client)
    row = programmes.team_member_add(actor=leader, programme=programme, user=newcomer)
    client = login(leader)
    kwargs = {"org": world.client.slug, "programme_pk": programme.pk}
    page = client.get(reverse("trainings:programme_trainings", kwargs=kwargs))
    assert page.status_code == 200
    starts = _starts(40)
    fmt = "%Y-%m-%dT%H:%M"
    response = client.post(
        reverse("trainings:cohort_create", kwargs=kwargs),
        {
            "introduction": timezone.localtime(starts["introduction"]).strftime(fmt),
            "workshop": timezone.localtime(starts["workshop"]).strftime(fmt),
            "instruction": timezone.localtime(starts["instruction"]).strftime(fmt),
            "location": "Buurthuis",
            "trainer": "",
            "members": [row.pk],
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.cohort == 2
    page = client.get(reverse("trainings:programme_trainings", kwargs=kwargs)).text
    assert "Cohort 2" in page or "Groep 2" in page


def test_a_running_team_recruits_again_and_newcomers_join_the_open_cohort(world, team, track):
    """The campaign opens again for a team at work; an approved applicant (already a member
    of the client elsewhere) joins the team straight into the newcomers' cohort in training."""
    from recruitment import services as recruitment
    from recruitment.workflow import Stage

    programme, founder, _ = team
    leader = world.users[Role.PROJECT_LEADER]
    TeamMember.objects.filter(programme=programme, user=founder).update(ready_for_rounds=True)
    first = UserFactory(name="Nadia", role=Role.TEAM_MEMBER, organisation=world.client)
    row = programmes.team_member_add(actor=leader, programme=programme, user=first)
    assert row.cohort == 1  # no newcomers' cohort yet: they wait in the first
    services.cohort_create(
        actor=leader, programme=programme, starts=_starts(30), location="Buurthuis", members=[row]
    )
    recruitment.campaign_save(actor=leader, programme=programme, is_open=True)
    later = UserFactory(
        name="Omar", email="omar@example.org", role=Role.TEAM_MEMBER, organisation=world.client
    )
    application = recruitment.application_submit(
        programme=programme,
        consent="Ik geef toestemming",
        name="Omar",
        email="omar@example.org",
        phone="0612345678",
        street="Lindelaan",
        house_number="3",
        postcode="1234 AB",
        motivation="Ik wil meehelpen in de buurt.",
    )
    assert application.stage == Stage.APPLIED
    for stage in (Stage.INTERVIEW, Stage.PROPOSED):
        application = recruitment.application_move(
            actor=leader, application=application, stage=stage, advice="Goede kandidaat"
        )
    recruitment.application_decide(
        actor=world.users[Role.CLIENT_STAFF],
        application=application,
        approve=True,
        reason="Welkom",
        hold_seconds=0,
    )
    joined = TeamMember.objects.get(programme=programme, user=later)
    assert (joined.is_active, joined.cohort) == (True, 2)
