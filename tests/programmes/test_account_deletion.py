"""Deleting an account keeps the history it made: certificates keep verifying, rounds,
signals, conversations, verdicts, rewards and audit entries stay and keep counting.

There is no delete button (accounts are blocked, not deleted), but the Django admin or a
management command can delete a user: the foreign keys themselves must keep the history.
"""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from patrols import services as patrols
from patrols.models import Conversation, RewardHandout, Round, Signal
from programmes.models import AuditEntry, OutboxMessage, User
from programmes.permissions import Role
from trainings import services as trainings
from trainings.models import Assessment, Certificate, Training

from ..builders import report_signal


@pytest.fixture
def history(world, team, django_capture_on_commit_callbacks):
    """A team member with a certificate, a round walked, a signal, a conversation, a reward."""
    programme, member, _categories = team
    pl = world.users[Role.PROJECT_LEADER]
    start = timezone.now() + dt.timedelta(days=3)
    track = trainings.track_create(
        actor=pl,
        programme=programme,
        starts={k: start + dt.timedelta(days=i) for i, k in enumerate(Training.Kind.values)},
        location="Buurthuis",
    )
    workshop = next(t for t in track if t.kind == Training.Kind.WORKSHOP)
    with django_capture_on_commit_callbacks(execute=True):
        trainings.assessment_record(actor=pl, training=workshop, user=member, passed=True)
        round_, _ = patrols.round_start(
            actor=member,
            programme=programme,
            uuid=uuid.uuid4(),
            started_at=timezone.now() - dt.timedelta(hours=1),
        )
        signal = report_signal(team, description="Matras", street="Lindelaan")
        patrols.conversation_report(
            actor=member,
            programme=programme,
            uuid=uuid.uuid4(),
            topic="noise",
            outcome="good",
            reported_at=timezone.now(),
            round_=round_,
        )
    RewardHandout.objects.create(
        organisation=programme.organisation,
        programme=programme,
        user=member,
        month=dt.date(2026, 10, 1),
        handed_out_by=pl,
    )
    return programme, member, signal


def test_deleting_an_account_keeps_certificate_and_history(client, world, unscoped, history):
    programme, member, signal = history
    name = member.name
    certificate = Certificate.objects.get(user=member)
    counts = {
        model: model.objects.filter(programme=programme).count()
        for model in (Round, Signal, Conversation, RewardHandout, Certificate)
    }
    assert all(counts.values()), counts
    audit_by_member = AuditEntry.objects.filter(actor=member).count()
    assert audit_by_member

    member.delete()

    assert not User.objects.filter(pk=member.pk).exists()
    for model, count in counts.items():
        assert model.objects.filter(programme=programme).count() == count, model
    certificate.refresh_from_db()
    assert certificate.user is None and certificate.holder_name == name
    assert Assessment.objects.filter(training__programme=programme, passed=True).count() == 1
    signal.refresh_from_db()
    assert signal.reported_by is None
    assert Round.objects.get(programme=programme).started_by is None
    # The audit log still says who acted.
    assert AuditEntry.objects.filter(actor__isnull=True, actor_name=name).count() >= audit_by_member

    # The certificate's public check still answers "valid", with the holder's name.
    page = client.get(
        reverse(
            "trainings:certificate_verify",
            kwargs={"org": world.client.slug, "code": certificate.code},
        )
    )
    assert page.status_code == 200
    assert name in page.content.decode() and certificate.code in page.content.decode()

    # The pages that show this history still open for the project leader.
    client.force_login(world.users[Role.PROJECT_LEADER])
    kwargs = {"org": world.client.slug, "programme_pk": programme.pk}
    assert client.get(reverse("patrols:programme_rounds", kwargs=kwargs)).status_code == 200
    assert (
        client.get(
            reverse(
                "patrols:portal_signal", kwargs={"org": world.client.slug, "signal_pk": signal.pk}
            )
        ).status_code
        == 200
    )
    assert client.get(reverse("trainings:programme_trainings", kwargs=kwargs)).status_code == 200
    client.force_login(world.users[Role.CONSULTANCY_ADMIN])
    audit_page = client.get(reverse("audit_log"))
    assert audit_page.status_code == 200 and name in audit_page.content.decode()


def test_revoking_a_deleted_holders_certificate_mails_nobody(
    world, unscoped, history, django_capture_on_commit_callbacks
):
    programme, member, _signal = history
    certificate = Certificate.objects.get(user=member)
    member.delete()
    certificate.refresh_from_db()
    before = OutboxMessage.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        trainings.certificate_revoke(
            actor=world.users[Role.PROJECT_LEADER], certificate=certificate, reason="Fraude"
        )
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert OutboxMessage.objects.count() == before
    assert trainings.certificate_revoke_preview(certificate=certificate, reason="Fraude") is None


def test_resolving_a_signal_of_a_deleted_reporter_mails_nobody(
    world, unscoped, history, django_capture_on_commit_callbacks
):
    _programme, member, signal = history
    member.delete()
    signal.refresh_from_db()
    before = OutboxMessage.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        patrols.signal_transition(
            actor=world.users[Role.CLIENT_STAFF],
            signal=signal,
            status="resolved",
            text="Opgehaald",
        )
    signal.refresh_from_db()
    assert signal.status == "resolved"
    assert OutboxMessage.objects.count() == before
