"""The client's decision on a candidate mails the applicant: it is confirmed first, its mail
is held for a few minutes, and until the mail leaves the decision can be undone."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programmes.models import AuditEntry, Invitation, OutboxMessage, TeamMember
from programmes.permissions import Role
from programmes.services import outbox_send_due
from recruitment import services
from recruitment.models import Application
from recruitment.workflow import Stage

from ..builders import candidate
from ..factories import UserFactory


@pytest.fixture
def hold(settings):
    settings.DECISION_UNDO_SECONDS = 300


@pytest.fixture
def proposed(world, team):
    programme = team[0]
    services.campaign_save(actor=None, programme=programme, is_open=True)
    return candidate(world, programme)


def _decision_mails(application):
    return OutboxMessage.objects.filter(ref=services.decision_ref(application))


def _make_due(application):
    _decision_mails(application).update(send_after=timezone.now() - timedelta(seconds=1))


def test_decline_is_held_then_sent_by_the_sweep(
    world, proposed, hold, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decide(
            actor=world.users[Role.CLIENT_STAFF],
            application=proposed,
            approve=False,
            reason="Woont buiten de wijk",
        )
    message = _decision_mails(proposed).get()
    assert message.status == OutboxMessage.Status.QUEUED
    assert message.send_after > timezone.now() + timedelta(seconds=290)
    assert outbox_send_due() == 0 and not [m for m in mailoutbox if "piet@" in m.to[0]]
    _make_due(proposed)
    assert outbox_send_due() == 1
    assert outbox_send_due() == 0  # never twice
    sent = [m for m in mailoutbox if "piet@" in m.to[0]]
    assert len(sent) == 1 and "niet geselecteerd" in sent[0].body
    with pytest.raises(ValidationError, match="al verstuurd"):
        services.application_decision_undo(
            actor=world.users[Role.CLIENT_STAFF], application=proposed
        )
    proposed.refresh_from_db()
    assert proposed.stage == Stage.NOT_SELECTED


def test_undo_a_decline_cancels_the_mail_and_proposes_again(
    world, proposed, hold, mailoutbox, django_capture_on_commit_callbacks
):
    staff = world.users[Role.CLIENT_STAFF]
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decide(
            actor=staff, application=proposed, approve=False, reason="Twijfel"
        )
        services.application_decision_undo(actor=staff, application=proposed)
    proposed.refresh_from_db()
    assert proposed.stage == Stage.PROPOSED and proposed.client_reason == ""
    assert _decision_mails(proposed).get().status == OutboxMessage.Status.CANCELLED
    _make_due(proposed)
    assert outbox_send_due() == 0
    assert not [m for m in mailoutbox if "piet@" in m.to[0]]
    assert [e.to_stage for e in proposed.events.all()][-2:] == [
        Stage.NOT_SELECTED,
        Stage.PROPOSED,
    ]
    assert AuditEntry.objects.filter(action="application.decision_undone").count() == 1
    with pytest.raises(ValidationError, match="geen besluit"):
        services.application_decision_undo(actor=staff, application=proposed)


def test_undo_an_approval_withdraws_the_invitation(
    world, proposed, hold, mailoutbox, django_capture_on_commit_callbacks
):
    staff = world.users[Role.CLIENT_STAFF]
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decide(
            actor=staff, application=proposed, approve=True, reason="Past goed"
        )
    invitation = Invitation.objects.get(email="piet@example.org")
    assert _decision_mails(proposed).get().template == "programmes/invitation"
    services.application_decision_undo(actor=staff, application=proposed)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    proposed.refresh_from_db()
    assert proposed.stage == Stage.PROPOSED
    _make_due(proposed)
    assert outbox_send_due() == 0 and mailoutbox == []
    # Decided again afterwards: a new held mail, the cancelled one stays cancelled.
    services.application_decide(actor=staff, application=proposed, approve=True, reason="Toch")
    statuses = sorted(_decision_mails(proposed).values_list("status", flat=True))
    assert statuses == ["cancelled", "queued"]


def test_undo_an_approval_of_an_existing_member(
    world, team, proposed, hold, django_capture_on_commit_callbacks
):
    UserFactory(email="PIET@example.org", role=Role.TEAM_MEMBER, organisation=world.client)
    staff = world.users[Role.CLIENT_STAFF]
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decide(actor=staff, application=proposed, approve=True, reason="Ja")
    member = TeamMember.objects.get(programme=team[0], user__email__iexact="piet@example.org")
    assert member.is_active
    assert _decision_mails(proposed).get().template == "recruitment/application_selected"
    services.application_decision_undo(actor=staff, application=proposed)
    member.refresh_from_db()
    assert not member.is_active


def _portal(world, proposed):
    return reverse(
        "recruitment:portal_candidates",
        kwargs={"org": world.client.slug, "programme_pk": proposed.programme_id},
    )


def test_portal_asks_to_confirm_then_offers_undo(
    client, world, proposed, hold, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.users[Role.CLIENT_STAFF])
    url = _portal(world, proposed)
    prefix = f"a{proposed.pk}"
    decision = {
        "application": proposed.pk,
        f"{prefix}-decision": "decline",
        f"{prefix}-reason": "Woont buiten de wijk",
    }
    confirm = client.post(url, decision)
    page = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Bevestig je besluit" in page and "Je wijst Piet Bakker af voor Team Noord." in page
    assert "niet geselecteerd" in page  # the e-mail itself is shown
    assert "5 minuten na je bevestiging" in page and "piet@example.org" not in page
    proposed.refresh_from_db()
    assert proposed.stage == Stage.PROPOSED  # nothing decided yet
    back = client.post(url, {**decision, "edit": "1"})
    assert "Woont buiten de wijk</textarea>" in back.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {**decision, "confirm": "1"}, follow=True)
    page = done.content.decode()
    assert "Je besluit over Piet Bakker is opgeslagen." in page
    assert "Je hebt Piet Bakker afgewezen. De e-mail gaat om" in page
    assert "Ongedaan maken" in page and mailoutbox == []

    undone = client.post(url, {"undo": proposed.pk}, follow=True)
    page = undone.content.decode()
    assert "Je besluit over Piet Bakker is ongedaan gemaakt; er is geen e-mail verstuurd." in page
    assert "Ongedaan maken" not in page
    proposed.refresh_from_db()
    assert proposed.stage == Stage.PROPOSED
    assert client.post(url, {"undo": proposed.pk}).status_code == 404  # nothing decided


def test_portal_undo_after_the_mail_left_is_refused(
    client, world, proposed, hold, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.users[Role.CLIENT_STAFF])
    url = _portal(world, proposed)
    prefix = f"a{proposed.pk}"
    client.post(
        url,
        {
            "application": proposed.pk,
            f"{prefix}-decision": "decline",
            f"{prefix}-reason": "Nee",
            "confirm": "1",
        },
    )
    _make_due(proposed)
    outbox_send_due()
    page = client.get(url).content.decode()
    assert "Ongedaan maken" not in page  # the hold is over
    refused = client.post(url, {"undo": proposed.pk}, follow=True)
    assert "De e-mail is al verstuurd" in refused.content.decode()
    assert Application.objects.get(pk=proposed.pk).stage == Stage.NOT_SELECTED
    assert len([m for m in mailoutbox if "piet@" in m.to[0]]) == 1


def test_project_leader_cannot_decide_or_undo_for_the_client(client, world, proposed):
    client.force_login(world.users[Role.PROJECT_LEADER])
    assert client.post(_portal(world, proposed), {"undo": proposed.pk}).status_code == 403
