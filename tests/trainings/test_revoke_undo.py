"""Revoking a certificate mails its holder: the project leader confirms first, the mail is
held, and until it leaves the revocation can be undone."""

import datetime as dt
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programmes.models import AuditEntry, OutboxMessage
from programmes.permissions import Role
from programmes.services import outbox_send_due
from trainings import services
from trainings.models import Certificate, Training


@pytest.fixture
def certificate(world, team, django_capture_on_commit_callbacks):
    start = timezone.now() + dt.timedelta(days=3)
    trainings = services.track_create(
        actor=world.users[Role.PROJECT_LEADER],
        programme=team[0],
        starts={
            Training.Kind.INTRODUCTION: start,
            Training.Kind.WORKSHOP: start + dt.timedelta(days=7),
            Training.Kind.INSTRUCTION: start + dt.timedelta(days=14),
        },
        location="Buurthuis",
        trainer="Marieke",
    )
    workshop = next(t for t in trainings if t.kind == Training.Kind.WORKSHOP)
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_record(actor=None, training=workshop, user=team[1], passed=True)
    return Certificate.objects.get()


@pytest.fixture
def hold(settings):
    settings.DECISION_UNDO_SECONDS = 300


def _revoke_mails(certificate):
    return OutboxMessage.objects.filter(ref=services.revoke_ref(certificate))


def _holder_mails(mailoutbox, certificate):
    return [m for m in mailoutbox if "ingetrokken" in m.subject]


def test_revocation_mail_is_held_then_sent_once(
    world, certificate, hold, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_revoke(actor=None, certificate=certificate, reason="Vergissing")
    message = _revoke_mails(certificate).get()
    assert message.status == OutboxMessage.Status.QUEUED and message.to_email == (
        certificate.user.email
    )
    assert outbox_send_due() == 0 and _holder_mails(mailoutbox, certificate) == []
    _revoke_mails(certificate).update(send_after=timezone.now() - timedelta(seconds=1))
    assert outbox_send_due() == 1 and outbox_send_due() == 0
    sent = _holder_mails(mailoutbox, certificate)
    assert len(sent) == 1 and "Vergissing" in sent[0].body and certificate.code in sent[0].body
    with pytest.raises(ValidationError, match="al verstuurd"):
        services.certificate_revoke_undo(actor=None, certificate=certificate)
    certificate.refresh_from_db()
    assert not certificate.is_valid


def test_undo_makes_the_certificate_valid_and_cancels_the_mail(
    world, certificate, hold, mailoutbox
):
    services.certificate_revoke(actor=None, certificate=certificate, reason="Vergissing")
    services.certificate_revoke_undo(
        actor=world.users[Role.PROJECT_LEADER], certificate=certificate
    )
    certificate.refresh_from_db()
    assert certificate.is_valid and certificate.revoked_reason == ""
    assert _revoke_mails(certificate).get().status == OutboxMessage.Status.CANCELLED
    _revoke_mails(certificate).update(send_after=timezone.now() - timedelta(hours=1))
    assert outbox_send_due() == 0 and _holder_mails(mailoutbox, certificate) == []
    assert AuditEntry.objects.filter(action="certificate.revoke_undone").count() == 1
    with pytest.raises(ValidationError, match="niet ingetrokken"):
        services.certificate_revoke_undo(actor=None, certificate=certificate)


def test_trainings_page_confirms_then_offers_undo(
    client, world, team, certificate, hold, mailoutbox
):
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "trainings:programme_trainings",
        kwargs={"org": world.client.slug, "programme_pk": team[0].pk},
    )
    ask = client.post(url, {"action": "revoke", "certificate": certificate.pk, "reason": "Fout"})
    page = ask.content.decode()
    assert ask.status_code == 200
    assert f"Het certificaat van {certificate.holder_name} intrekken?" in page
    assert "Reden: Fout" in page and "5 minuten na je bevestiging" in page
    certificate.refresh_from_db()
    assert certificate.is_valid  # nothing happened yet

    done = client.post(
        url,
        {"action": "revoke", "certificate": certificate.pk, "reason": "Fout", "confirm": "1"},
        follow=True,
    )
    page = done.content.decode()
    assert "Het certificaat is ingetrokken." in page
    assert "tot dan kun je de intrekking ongedaan maken" in page and "Ongedaan maken" in page
    undone = client.post(url, {"action": "revoke_undo", "certificate": certificate.pk}, follow=True)
    page = undone.content.decode()
    assert "De intrekking is ongedaan gemaakt" in page
    certificate.refresh_from_db()
    assert certificate.is_valid and _holder_mails(mailoutbox, certificate) == []
    again = client.post(url, {"action": "revoke_undo", "certificate": certificate.pk}, follow=True)
    assert "Dit certificaat is niet ingetrokken." in again.content.decode()
