"""The demo-data command: the whole product in every state, a landing page with content for
every demo login, and running it twice changes nothing."""

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils.html import escape
from django_scopes import scopes_disabled

from patrols.models import Conversation, Round, Signal, SignalEvent, SignalPhoto
from patrols.models_handoff import Handoff
from patrols.workflow import Status
from programmes.demo import PROGRAMMES, USERS
from programmes.models import (
    AuditEntry,
    Document,
    Notification,
    Organisation,
    Programme,
    TeamMember,
    User,
)
from programmes.permissions import Role
from recruitment.models import Application, SurveyResponse
from recruitment.workflow import Stage
from trainings.models import Certificate, Gear, RulesAcceptance


def _snapshot():
    with scopes_disabled():
        return (
            sorted(
                Organisation.objects.values_list(
                    "slug", "name", "kind", "consultancy__slug", "logo"
                )
            ),
            sorted(User.objects.values_list("email", "role", "organisation__slug", "password")),
            AuditEntry.objects.count(),
            sorted(Programme.objects.values_list("name", "start_date")),
            sorted(TeamMember.objects.values_list("user__email", "ready_for_rounds")),
            Application.objects.count(),
            SurveyResponse.objects.count(),
            Certificate.objects.count(),
            Round.objects.count(),
            sorted(Signal.objects.values_list("description", "status")),
            SignalEvent.objects.count(),
            Conversation.objects.count(),
        )


@pytest.fixture
def demo(db, capsys):
    call_command("demo_data")
    return capsys.readouterr().out


def test_demo_data_shows_every_state_and_is_idempotent(demo, capsys):
    first = _snapshot()
    call_command("demo_data")
    assert _snapshot() == first
    assert "0 new objects" in capsys.readouterr().out
    orgs, users, *_ = first
    kinds = {kind for _, _, kind, _, _ in orgs}
    assert {"consultancy", "municipality", "housing_corporation"} <= kinds
    assert {role for _, role, _, _ in users} == set(Role.values)
    with scopes_disabled():
        assert set(Signal.objects.values_list("status", flat=True)) == set(Status.values)
        # History: every signal followed up has its steps, with the client's notes.
        followed = Signal.objects.exclude(status=Status.NEW)
        assert followed.exists()
        for signal in followed.annotate(n=Count("events")):
            assert signal.n >= 2
        assert SignalEvent.objects.exclude(text="").exists()
        reopened = SignalEvent.objects.filter(
            from_status=Status.RESOLVED, to_status=Status.IN_PROGRESS
        )
        assert reopened.exists()
        assert SignalPhoto.objects.exists()
        assert Conversation.objects.filter(aggression=True).exists()
        assert set(Application.objects.values_list("stage", flat=True)) == set(Stage.values)
        assert SurveyResponse.objects.count() >= 20
        # The running team: trained, certified (PDF asked for), rules accepted, gear sizes.
        tarwewijk = Programme.objects.get(name=PROGRAMMES["running"]["name"])
        members = TeamMember.objects.filter(programme=tarwewijk)
        assert members.filter(ready_for_rounds=True).count() >= 4
        assert members.filter(ready_for_rounds=False).exists()  # one still has to pass
        certificates = Certificate.objects.filter(programme=tarwewijk)
        assert certificates.count() == members.filter(ready_for_rounds=True).count()
        assert all(c.document_id for c in certificates)
        assert Document.objects.filter(kind="certificate").count() >= certificates.count()
        assert RulesAcceptance.objects.filter(programme=tarwewijk).count() >= 4
        assert Gear.objects.filter(programme=tarwewijk).exclude(bodywarmer_size="").exists()
        # Rounds over the past weeks, with walkers; all in the past and ended.
        rounds = Round.objects.filter(programme=tarwewijk)
        assert rounds.count() >= 6
        assert all(r.ended_at and r.walkers.count() >= 2 for r in rounds)
        # The client's own system: its desk's mailbox took the routed signals, each once,
        # assigned to the department; the reporters and the staff have notices in the app.
        handed = Handoff.objects.filter(signal__programme=tarwewijk)
        assert handed.exists()
        assert set(handed.values_list("state", flat=True)) == {Handoff.State.DELIVERED}
        assert handed.count() == handed.values("signal").distinct().count()
        assert all(h.signal.assigned_department_id for h in handed.select_related("signal"))
        assert Notification.objects.filter(recipient__role=Role.TEAM_MEMBER).exists()
        assert Notification.objects.filter(recipient__role=Role.CLIENT_STAFF).exists()
        # The printed team members are on a team and ready for rounds.
        for email, _name, role, _org in USERS:
            if role == Role.TEAM_MEMBER:
                assert TeamMember.objects.get(user__email=email).ready_for_rounds


def test_each_login_lands_on_a_page_with_content(demo, client):
    for email, _name, role, _org in USERS:
        with scopes_disabled():
            user = User.objects.get(email=email)
            programmes = list(
                Programme.objects.filter(organisation=user.organisation).values_list(
                    "name", flat=True
                )
            ) or list(Programme.objects.values_list("name", flat=True))
            team = TeamMember.objects.filter(user=user).select_related("programme").first()
            own_signals = list(
                Signal.objects.filter(reported_by=user)
                .order_by("-reported_at")
                .values_list("description", flat=True)
            )
        client.force_login(user)
        response = client.get("/", follow=True)
        assert response.status_code == 200, email
        page = response.content.decode()
        if role == Role.TEAM_MEMBER:
            assert team.programme.name in page, email
            assert own_signals, email
            assert escape(own_signals[0]) in page, email
        else:
            for name in programmes:
                assert name in page, (email, name)
        client.logout()
