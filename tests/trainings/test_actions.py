"""Each thing a project leader does on the track page has its own address and form: the page's
forms post there, the answer is the same as before, ids name only this programme's things
(404 otherwise), and the readiness override is a service with its reason in the audit log."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programmes import services as base
from programmes.models import AuditEntry, Invitee, TeamMember
from programmes.permissions import Role
from trainings import selectors, services
from trainings.models import Certificate, Training
from trainings.urls import TRACK, urlpatterns

from ..factories import UserFactory

# Every action of the track page: the URLs below the page's own.
ACTIONS = [
    f"trainings:{p.name}"
    for p in urlpatterns
    if str(p.pattern).startswith(TRACK) and str(p.pattern) != TRACK
]


def _url(world, programme, name):
    return reverse(name, kwargs={"org": world.client.slug, "programme_pk": programme.pk})


@pytest.fixture
def leader(client, world):
    client.force_login(world.users[Role.PROJECT_LEADER])
    return client


@pytest.fixture
def second(world, team):
    """Another programme of the same client, with its own member and track."""
    pl = world.users[Role.PROJECT_LEADER]
    programme = base.programme_create(
        actor=pl,
        client=world.client,
        project_leaders=[pl],
        name="Team Zuid",
        neighbourhood="Zuid",
        municipality="Noordstad",
        start_date=dt.date(2026, 9, 7),
    )
    member = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client)
    base.team_member_add(actor=pl, programme=programme, user=member)
    return programme, member


def test_every_form_on_the_page_posts_to_its_own_action(leader, world, team, track):
    page = leader.get(_url(world, team[0], "trainings:programme_trainings")).content.decode()
    posted_to = set(re.findall(r'<form method="post" action="([^"]+)"', page))
    # The track is planned already, so its form is gone; every other action is on the page.
    expected = {_url(world, team[0], name) for name in ACTIONS} - {
        _url(world, team[0], "trainings:track_create"),
        _url(world, team[0], "trainings:revoke"),  # no certificate yet
        _url(world, team[0], "trainings:revoke_undo"),
    }
    assert expected <= posted_to


def test_an_action_saves_and_returns_to_the_page(leader, world, team, track):
    page = _url(world, team[0], "trainings:programme_trainings")
    response = leader.post(_url(world, team[0], "trainings:rules_save"), {"text": "Samen lopen."})
    assert response.status_code == 302 and response["Location"] == page
    assert "Samen lopen." in leader.get(page).content.decode()
    newcomer = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client)
    base.team_member_add(actor=None, programme=team[0], user=newcomer)
    response = leader.post(
        _url(world, team[0], "trainings:team_invite"),
        {"training": track[Training.Kind.WORKSHOP].pk},
        follow=True,
    )
    assert "1 teamlid is uitgenodigd." in response.content.decode()
    assert Invitee.objects.filter(meeting=track[Training.Kind.WORKSHOP].meeting, user=newcomer)


def test_planning_with_a_wrong_date_shows_the_page_with_the_form(leader, world, team):
    response = leader.post(
        _url(world, team[0], "trainings:track_create"),
        {"introduction": "gisteren", "location": "Buurthuis"},
    )
    assert response.status_code == 200
    assert 'name="location" value="Buurthuis"' in response.content.decode()  # nothing lost
    assert not Training.objects.filter(programme=team[0]).exists()


def test_the_actions_need_the_right_to_manage(client, world, team, track):
    client.force_login(world.users[Role.CLIENT_STAFF])
    for name in ACTIONS:
        assert client.post(_url(world, team[0], name), {"text": "x"}).status_code == 403, name


def test_ids_of_another_programme_answer_404(leader, world, team, track, second):
    programme, outsider = second
    other_track = services.track_create(
        actor=None,
        programme=programme,
        location="Elders",
        starts={k: track[k].meeting.starts_at for k in Training.Kind.values},
    )
    url = _url(world, team[0], "trainings:team_invite")
    assert leader.post(url, {"training": other_track[0].pk}).status_code == 404
    for name, data in (
        ("trainings:assess", {"user": outsider.pk, "passed": "1"}),
        ("trainings:ready", {"user": outsider.pk, "ready": "1", "reason": "Ervaren"}),
        ("trainings:gear_hand_out", {"user": outsider.pk, "item": "shirt_given", "given": "1"}),
    ):
        assert leader.post(_url(world, team[0], name), data).status_code == 404, name
    assert not TeamMember.objects.get(programme=programme, user=outsider).ready_for_rounds
    workshop = next(t for t in other_track if t.kind == Training.Kind.WORKSHOP)
    services.assessment_record(actor=None, training=workshop, user=outsider, passed=True)
    certificate = Certificate.objects.get(programme=programme)
    for name in ("trainings:revoke", "trainings:revoke_undo"):
        response = leader.post(
            _url(world, team[0], name),
            {"certificate": certificate.pk, "reason": "Fout", "confirm": "1"},
        )
        assert response.status_code == 404, name
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_selectors_scope_to_the_programme(team, track, second):
    programme, outsider = second
    from django.http import Http404

    assert selectors.get_roster_member_for(programme=team[0], user_pk=team[1].pk).user == team[1]
    with pytest.raises(Http404):
        selectors.get_roster_member_for(programme=team[0], user_pk=outsider.pk)
    with pytest.raises(Http404):
        selectors.get_training_for(programme=programme, pk=track[Training.Kind.WORKSHOP].pk)
    with pytest.raises(Http404):
        selectors.get_workshop_for(programme=programme)


def test_override_needs_a_reason_and_is_audited(world, team, track):
    pl = world.users[Role.PROJECT_LEADER]
    member = TeamMember.objects.get(programme=team[0], user=team[1])
    entries = AuditEntry.objects.filter(action="team.readiness", actor=pl)
    before = set(entries.values_list("pk", flat=True))
    with pytest.raises(ValidationError, match="Zeg waarom"):
        services.readiness_override(actor=pl, member=member, ready=True, reason="  ")
    member.refresh_from_db()
    assert not member.ready_for_rounds
    assert set(entries.values_list("pk", flat=True)) == before

    services.readiness_override(actor=pl, member=member, ready=True, reason="Buurtvader")
    member.refresh_from_db()
    assert member.ready_for_rounds and member.ready_reason == "Buurtvader"
    (entry,) = entries.exclude(pk__in=before)
    assert entry.data == {"ready": True, "reason": "Buurtvader"}


def test_override_without_reason_once_the_track_is_done(world, team, track):
    pl = world.users[Role.PROJECT_LEADER]
    programme, user, _ = team
    for kind in (Training.Kind.INTRODUCTION, Training.Kind.INSTRUCTION):
        invitee = Invitee.objects.get(meeting=track[kind].meeting, user=user)
        base.invitee_set_attended(actor=None, invitee=invitee, attended=True)
    services.assessment_record(
        actor=None, training=track[Training.Kind.WORKSHOP], user=user, passed=True
    )
    services.rules_accept(user=user, programme=programme)
    member = TeamMember.objects.get(programme=programme, user=user)
    assert member.ready_for_rounds  # the track made them ready
    services.readiness_override(actor=pl, member=member, ready=False, reason="")
    member.refresh_from_db()
    assert not member.ready_for_rounds
    services.readiness_override(actor=pl, member=member, ready=True, reason="")
    member.refresh_from_db()
    assert member.ready_for_rounds and member.ready_reason == ""
