"""The training track, the workshop's verdicts, certificates and their public verification."""

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programmes.models import Document, OutboxMessage
from programmes.pdf import render_html
from programmes.permissions import Role
from programmes.services.documents import BUILDERS
from trainings import services
from trainings.models import Certificate, Training

from ..factories import UserFactory


@pytest.fixture
def track(world, team):
    start = timezone.now() + dt.timedelta(days=3)
    starts = {
        Training.Kind.INTRODUCTION: start,
        Training.Kind.WORKSHOP: start + dt.timedelta(days=7),
        Training.Kind.INSTRUCTION: start + dt.timedelta(days=14),
    }
    trainings = services.track_create(
        actor=world.users[Role.PROJECT_LEADER],
        programme=team[0],
        starts=starts,
        location="Buurthuis",
        trainer="Marieke de Trainer",
    )
    return {t.kind: t for t in trainings}


def test_track_from_template(world, team, track):
    assert [t.meeting.title for t in track.values()] == [
        "Kennismakingsbijeenkomst",
        "Workshop Effectief Communiceren",
        "Instructiebijeenkomst",
    ]
    assert services.team_invite(actor=None, training=track["workshop"]) == 1
    assert services.team_invite(actor=None, training=track["workshop"]) == 0
    with pytest.raises(ValidationError):
        services.track_create(actor=None, programme=team[0], starts={}, location="X")


def test_certificate_only_on_a_pass(
    world, team, track, mailoutbox, django_capture_on_commit_callbacks
):
    member = team[1]
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_record(
            actor=None, training=track["workshop"], user=member, passed=False, note="Nog oefenen"
        )
    assert not Certificate.objects.exists()
    with pytest.raises(ValidationError):
        services.assessment_record(
            actor=None, training=track["introduction"], user=member, passed=True
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_record(actor=None, training=track["workshop"], user=member, passed=True)
        services.assessment_record(
            actor=None, training=track["workshop"], user=member, passed=True
        )  # again
    certificate = Certificate.objects.get()
    assert certificate.holder_name == member.name and certificate.trainer == "Marieke de Trainer"
    assert len(certificate.code) == 19 and certificate.code.count("-") == 3
    assert (
        certificate.document.status == Document.Status.READY
        and certificate.document.owner == member
    )
    message = OutboxMessage.objects.get(template="trainings/certificate")
    assert (
        message.status == OutboxMessage.Status.SENT and message.attachment == certificate.document
    )
    sent = mailoutbox[-1]
    assert sent.attachments and sent.attachments[0][2] == "application/pdf"
    assert sent.attachments[0][1].startswith(b"%PDF-")
    with pytest.raises(ValidationError):
        services.assessment_record(
            actor=None,
            training=track["workshop"],
            user=UserFactory(role=Role.TEAM_MEMBER, organisation=world.client),
            passed=True,
        )


def test_certificate_pdf_and_html(world, team, track, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_record(
            actor=None, training=track["workshop"], user=team[1], passed=True
        )
    certificate = Certificate.objects.get()
    template, context, language = BUILDERS["certificate"](certificate.document)
    html = render_html(template=template, context=context, language=language)
    assert (
        certificate.holder_name in html
        and certificate.code in html
        and "Effectief Communiceren" in html
    )
    assert (
        f"/verify/{world.client.slug}/{certificate.code}/" in html and "size: A4 landscape" in html
    )
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
    artifacts.mkdir(parents=True, exist_ok=True)
    with certificate.document.file.open("rb") as fh:
        (artifacts / "certificate.pdf").write_bytes(fh.read())
    info = subprocess.run(
        ["pdfinfo", str(artifacts / "certificate.pdf")], capture_output=True, check=True
    ).stdout.decode()
    assert "Pages:           1" in info and "841.89 x 595.276" in info  # A4 landscape
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            str(artifacts / "certificate.pdf"),
            str(artifacts / "60-certificate"),
        ],
        check=True,
    )


def test_verification_shows_only_what_it_should(
    client, world, other_world, team, track, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_record(
            actor=None, training=track["workshop"], user=team[1], passed=True
        )
    certificate = Certificate.objects.get()
    url = reverse(
        "trainings:certificate_verify", kwargs={"org": world.client.slug, "code": certificate.code}
    )
    page = client.get(url).content.decode()
    assert "Dit certificaat is geldig." in page and certificate.holder_name in page
    assert (
        team[1].email not in page and "Marieke" not in page
    )  # nothing beyond what it is meant to show
    typed = client.get(
        reverse("trainings:certificate_verify_form", kwargs={"org": world.client.slug}),
        {"code": certificate.code.replace("-", " ").lower()},
    )
    assert "Dit certificaat is geldig." in typed.content.decode()
    unknown = client.get(
        reverse(
            "trainings:certificate_verify",
            kwargs={"org": world.client.slug, "code": "AAAA-BBBB-CCCC-DDDD"},
        )
    )
    assert (
        unknown.status_code == 404 and "Geen certificaat met deze code" in unknown.content.decode()
    )
    other = client.get(
        reverse(
            "trainings:certificate_verify",
            kwargs={"org": other_world.client.slug, "code": certificate.code},
        )
    )
    assert other.status_code == 404
    services.certificate_revoke(
        actor=None, certificate=certificate, reason="Gedragscode overtreden"
    )
    revoked = client.get(url).content.decode()
    assert "ingetrokken" in revoked and "Gedragscode" not in revoked
    with pytest.raises(ValidationError):
        services.certificate_revoke(actor=None, certificate=certificate, reason=" ")


def test_codes_cannot_be_guessed():
    from trainings.models import new_certificate_code

    codes = {new_certificate_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(len(c) == 19 for c in codes)


def test_member_downloads_own_certificate(
    client, world, team, track, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_record(
            actor=None, training=track["workshop"], user=team[1], passed=True
        )
    certificate = Certificate.objects.get()
    client.force_login(team[1])
    home = client.get(
        reverse("patrols:team_home", kwargs={"org": world.client.slug})
    ).content.decode()
    assert "Mijn Certificaat (PDF)" in home
    url = reverse(
        "patrols:team_document",
        kwargs={"org": world.client.slug, "document_pk": certificate.document.pk},
    )
    response = client.get(url)
    assert response.status_code == 200
    assert 'filename="certificaat-' in response["Content-Disposition"]
    other = UserFactory(role=Role.TEAM_MEMBER, organisation=world.client)
    client.force_login(other)
    assert client.get(url).status_code == 404


def test_trainings_page_assess_and_revoke(
    client, world, team, track, django_capture_on_commit_callbacks
):
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "trainings:programme_trainings",
        kwargs={"org": world.client.slug, "programme_pk": team[0].pk},
    )
    assert "Workshop Effectief Communiceren" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "assess", "user": team[1].pk, "passed": "1", "note": "Sterk"})
    certificate = Certificate.objects.get()
    response = client.post(
        url, {"action": "revoke", "certificate": certificate.pk, "reason": ""}, follow=True
    )
    assert "Zeg waarom het certificaat wordt ingetrokken." in response.content.decode()
    client.post(
        url,
        {"action": "revoke", "certificate": certificate.pk, "reason": "Vergissing", "confirm": "1"},
    )
    certificate.refresh_from_db()
    assert not certificate.is_valid
    assert client.post(url, {"action": "assess", "user": "x", "passed": "maybe"}).status_code == 404
