"""The project leader's "not selected" mails the applicant too: it is confirmed first, its
mail is held, and until the mail leaves the project leader can undo it (the client cannot,
and the project leader cannot undo the client's decision)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programmes.models import OutboxMessage
from programmes.permissions import Role
from programmes.services import outbox_send_due
from recruitment import services
from recruitment.workflow import Stage

from ..builders import candidate


@pytest.fixture
def hold(settings):
    settings.DECISION_UNDO_SECONDS = 300


@pytest.fixture
def interviewed(world, team):
    programme = team[0]
    services.campaign_save(actor=None, programme=programme, is_open=True)
    return candidate(world, programme, stage=Stage.INTERVIEW)


def _mails(application):
    return OutboxMessage.objects.filter(ref=services.decision_ref(application))


def _make_due(application):
    _mails(application).update(send_after=timezone.now() - timedelta(seconds=1))


def _piet(mailoutbox):
    return [m for m in mailoutbox if "piet@" in m.to[0]]


def test_not_selected_is_held_and_undo_restores_the_step(
    world, interviewed, hold, mailoutbox, django_capture_on_commit_callbacks
):
    pl = world.users[Role.PROJECT_LEADER]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_move(actor=pl, application=interviewed, stage=Stage.NOT_SELECTED)
    message = _mails(interviewed).get()
    assert message.status == OutboxMessage.Status.QUEUED
    assert message.template == "recruitment/application_not_selected"
    assert message.send_after > timezone.now() + timedelta(seconds=290)
    assert _piet(mailoutbox) == []
    # Neither the client nor the portal's undo may take back the project leader's decision.
    with pytest.raises(ValidationError, match="geen besluit"):
        services.application_decision_undo(
            actor=world.users[Role.CLIENT_STAFF], application=interviewed
        )
    assert services.decisions_held(applications=[interviewed], by_client=True) == {}
    assert interviewed.pk in services.decisions_held(applications=[interviewed], by_client=False)

    services.application_decision_undo(actor=pl, application=interviewed, by_client=False)
    interviewed.refresh_from_db()
    assert interviewed.stage == Stage.INTERVIEW  # back where it was, not "proposed"
    assert _mails(interviewed).get().status == OutboxMessage.Status.CANCELLED
    _make_due(interviewed)
    assert outbox_send_due() == 0 and _piet(mailoutbox) == []


def test_undo_after_the_mail_left_is_refused(
    world, interviewed, hold, mailoutbox, django_capture_on_commit_callbacks
):
    pl = world.users[Role.PROJECT_LEADER]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_move(actor=pl, application=interviewed, stage=Stage.NOT_SELECTED)
    _make_due(interviewed)
    assert outbox_send_due() == 1
    assert len(_piet(mailoutbox)) == 1
    with pytest.raises(ValidationError, match="al verstuurd"):
        services.application_decision_undo(actor=pl, application=interviewed, by_client=False)
    interviewed.refresh_from_db()
    assert interviewed.stage == Stage.NOT_SELECTED


def test_project_leader_cannot_undo_the_clients_decision(world, interviewed, hold):
    pl = world.users[Role.PROJECT_LEADER]
    services.application_move(
        actor=pl, application=interviewed, stage=Stage.PROPOSED, advice="Aanrader"
    )
    services.application_decide(
        actor=world.users[Role.CLIENT_STAFF], application=interviewed, approve=False, reason="Nee"
    )
    assert services.decisions_held(applications=[interviewed], by_client=False) == {}
    with pytest.raises(ValidationError, match="geen besluit"):
        services.application_decision_undo(actor=pl, application=interviewed, by_client=False)


def test_selection_page_confirms_then_offers_undo(
    client, world, interviewed, hold, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "recruitment:programme_selection",
        kwargs={"org": world.client.slug, "programme_pk": interviewed.programme_id},
    )
    move = {"application": interviewed.pk, "stage": Stage.NOT_SELECTED, "note": "Geen tijd"}
    confirm = client.post(url, move)
    page = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Bevestig je besluit" in page
    assert "Je markeert Piet Bakker als niet geselecteerd voor Team Noord." in page
    assert "niet geselecteerd" in page and "5 minuten na je bevestiging" in page
    assert "Geen tijd" in page
    interviewed.refresh_from_db()
    assert interviewed.stage == Stage.INTERVIEW and not _mails(interviewed).exists()
    back = client.post(url, {**move, "edit": "1"})
    assert back.status_code == 302 and not _mails(interviewed).exists()

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {**move, "confirm": "1"}, follow=True)
    page = done.content.decode()
    assert "Je hebt Piet Bakker afgewezen. De e-mail gaat om" in page
    assert "Ongedaan maken" in page and _piet(mailoutbox) == []

    undone = client.post(url, {"undo": interviewed.pk}, follow=True)
    page = undone.content.decode()
    assert "Je besluit over Piet Bakker is ongedaan gemaakt; er is geen e-mail verstuurd." in page
    assert "Ongedaan maken" not in page
    interviewed.refresh_from_db()
    assert interviewed.stage == Stage.INTERVIEW
    assert _mails(interviewed).get().status == OutboxMessage.Status.CANCELLED
    assert client.post(url, {"undo": interviewed.pk}).status_code == 404


def test_client_portal_does_not_offer_the_project_leaders_undo(client, world, interviewed, hold):
    services.application_move(
        actor=world.users[Role.PROJECT_LEADER],
        application=interviewed,
        stage=Stage.NOT_SELECTED,
    )
    client.force_login(world.users[Role.CLIENT_STAFF])
    url = reverse(
        "recruitment:portal_candidates",
        kwargs={"org": world.client.slug, "programme_pk": interviewed.programme_id},
    )
    assert "Ongedaan maken" not in client.get(url).content.decode()
    refused = client.post(url, {"undo": interviewed.pk}, follow=True)
    assert "Er is geen besluit over Piet Bakker om ongedaan te maken" in refused.content.decode()
    interviewed.refresh_from_db()
    assert interviewed.stage == Stage.NOT_SELECTED
