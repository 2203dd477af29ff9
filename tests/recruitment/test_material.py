"""Recruitment material: a flyer (A5) and a poster (A3) in the client's style with a QR code."""

import io
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from programmes import services as base
from programmes.models import Document
from programmes.pdf import render_html, render_pdf
from programmes.permissions import Role
from programmes.qr import qr_data_uri
from programmes.services.documents import BUILDERS
from recruitment import services


@pytest.fixture
def programme(team, world):
    from PIL import Image

    programme = team[0]
    campaign = services.campaign_save(
        actor=None, programme=programme, is_open=True, headline="Word buurtkracht!"
    )
    out = io.BytesIO()
    Image.new("RGB", (1200, 800), "#6a8f3c").save(out, format="JPEG")
    campaign.photo.save("foto.jpg", ContentFile(out.getvalue()))
    from programmes.demo import _logo_png

    world.client.logo.save("logo.png", ContentFile(_logo_png("GN", "#b3261e")))
    return programme


@pytest.mark.parametrize(
    ("kind", "size", "points"),
    [
        ("recruitment_flyer", "A5", "419.528 x 595.276"),
        ("recruitment_poster", "A3", "841.89 x 1190.55"),
    ],
)
def test_material_html_and_pdf(world, programme, kind, size, points):
    document = Document(organisation=world.client, programme=programme, kind=kind)
    template, context, language = BUILDERS[kind](document)
    html = render_html(template=template, context=context, language=language)
    assert "Word buurtkracht!" in html and f"size: {size}" in html
    assert f"/apply/{world.client.slug}/{programme.pk}/" in html
    assert "data:image/png;base64," in html and world.client.brand_colour in html
    pdf = render_pdf(template=template, context=context, language=language)
    assert pdf.startswith(b"%PDF-")
    from pathlib import Path

    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / f"{kind}.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "40",
            str(artifacts / f"{kind}.pdf"),
            str(artifacts / f"51-{kind}"),
        ],
        check=True,
    )
    info = subprocess.run(
        ["pdfinfo", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Pages:           1" in info and points in info  # one page of A5 or A3


def test_qr_code_encodes_the_link():
    import base64

    from PIL import Image

    uri = qr_data_uri("http://example.org/apply/x/1/")
    assert uri.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert image.format == "PNG" and image.width == image.height >= 21 * 8  # 8 px a module
    assert qr_data_uri("http://example.org/apply/x/1/") is uri  # made once


def test_project_leader_requests_the_flyer(
    client, world, programme, django_capture_on_commit_callbacks
):
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "document_request", kwargs={"org": world.client.slug, "programme_pk": programme.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"kind": "recruitment_flyer"}).status_code == 302
    document = Document.objects.get(kind="recruitment_flyer")
    assert document.status == Document.Status.READY
    assert client.post(url, {"kind": "nonsense"}).status_code == 404
    assert "recruitment_flyer" in base.documents_available()


def test_survey_report_pdf(client, world, team, django_capture_on_commit_callbacks):
    from pathlib import Path

    pl = world.users[Role.PROJECT_LEADER]
    survey = services.survey_create(actor=pl, programme=team[0], title="Buurtonderzoek Noord")
    services.survey_set_status(actor=pl, survey=survey, status="open")
    single = survey.questions.get(kind="single")
    services.survey_respond(
        survey=survey, answers={single.pk: "Veel"}, channel="online", street="Lindelaan"
    )
    survey.conclusions = "Er is draagvlak voor een team."
    survey.save()
    client.force_login(pl)
    url = reverse(
        "recruitment:survey_results",
        kwargs={"org": world.client.slug, "programme_pk": team[0].pk, "survey_pk": survey.pk},
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"report": "1"})
    document = Document.objects.get(kind="survey_report")
    assert document.status == Document.Status.READY and document.ref == str(survey.pk)
    template, context, language = BUILDERS["survey_report"](document)
    html = render_html(template=template, context=context, language=language)
    assert "Er is draagvlak voor een team." in html and "Lindelaan" in html
    assert "PDF downloaden" in client.get(url).content.decode()
    # The generic request cannot ask for a report without saying which survey.
    generic = reverse(
        "document_request", kwargs={"org": world.client.slug, "programme_pk": team[0].pk}
    )
    assert client.post(generic, {"kind": "survey_report"}).status_code == 404
    # Keep a picture of the first page of each document for people to look at.
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
    artifacts.mkdir(parents=True, exist_ok=True)
    with document.file.open("rb") as fh:
        (artifacts / "survey-report.pdf").write_bytes(fh.read())
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            str(artifacts / "survey-report.pdf"),
            str(artifacts / "50-survey-report"),
        ],
        check=True,
    )
