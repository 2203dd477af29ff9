"""The document pipeline: a row with a state, rendered in the background, offline."""

import pytest
from django.urls import reverse

from programmes import services
from programmes.models import Document
from programmes.pdf import PdfFetchRefused, check_fetch_allowed, render_html, static_file_url
from programmes.permissions import Role
from programmes.services.documents import BUILDERS


@pytest.fixture
def planned(world, programme, unscoped):
    services.programme_intake_save(
        actor=None,
        programme=programme,
        vision="Een wijk waar bewoners elkaar kennen.",
        starting_points="",
        goals=[{"description": "Minder zwerfvuil", "measure": "Schouw"}],
        partners=[{"name": "Henk de Huismeester", "role": "caretaker"}],
    )
    services.plan_generate(actor=None, programme=programme)
    return programme


def test_plan_html_has_the_plan_and_branding(world, planned):
    document = Document(organisation=world.client, programme=planned, kind="plan")
    template, context, language = BUILDERS["plan"](document)
    html = render_html(template=template, context=context, language=language)
    assert "BewonersTeam Noord" in html and "Minder zwerfvuil" in html
    assert "Henk de Huismeester" in html and world.client.brand_colour in html
    assert "Plan van aanpak" in html  # Dutch by default
    assert "http://" not in html and "https://" not in html  # nothing to fetch from outside


def test_plan_pdf_is_made_in_the_background(world, planned, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = services.document_request(
            actor=world.users[Role.CLIENT_STAFF],
            organisation=world.client,
            programme=planned,
            kind="plan",
        )
    assert document.status == Document.Status.PENDING and not document.file
    for callback in callbacks:
        callback()
    document.refresh_from_db()
    assert document.status == Document.Status.READY
    with document.file.open("rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF-") and len(data) > 5000
    # Running the task again changes nothing.
    assert services.document_build(document_id=document.pk) == "skipped"


def test_failed_render_is_visible(world, planned, monkeypatch, django_capture_on_commit_callbacks):
    def broken(document):
        raise RuntimeError("template exploded")

    monkeypatch.setitem(BUILDERS, "plan", broken)
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_request(
            actor=None, organisation=world.client, programme=planned, kind="plan"
        )
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED and "exploded" in document.error


def test_pdfs_never_fetch_from_the_network():
    with pytest.raises(PdfFetchRefused):
        check_fetch_allowed("https://example.org/logo.png")
    with pytest.raises(PdfFetchRefused):
        check_fetch_allowed("file:///etc/passwd")
    with pytest.raises(PdfFetchRefused):
        check_fetch_allowed(static_file_url("pdf/base.css") + "/../../../../../etc/passwd")
    check_fetch_allowed(static_file_url("pdf/base.css"))
    check_fetch_allowed("data:image/png;base64,AAAA")


def test_portal_user_requests_and_downloads(
    client, world, other_world, planned, django_capture_on_commit_callbacks
):
    client.force_login(world.users[Role.CLIENT_STAFF])
    kwargs = {"org": world.client.slug, "programme_pk": planned.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("document_request", kwargs=kwargs), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    document = Document.objects.get(programme=planned)
    status = client.get(reverse("document_status", kwargs={**kwargs, "document_pk": document.pk}))
    assert "PDF downloaden" in status.content.decode()
    download = client.get(
        reverse("document_download", kwargs={**kwargs, "document_pk": document.pk})
    )
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    # A Dutch file name, not a code: "plan-van-aanpak-<neighbourhood>.pdf".
    assert 'filename="plan-van-aanpak-oude-noorden.pdf"' in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    client.force_login(other_world.users[Role.CLIENT_STAFF])
    assert (
        client.get(
            reverse("document_download", kwargs={**kwargs, "document_pk": document.pk})
        ).status_code
        == 404
    )


def test_pending_document_polls_and_is_not_downloadable(client, world, planned):
    """While it is being made the page looks again after 1, 2, 4 ... seconds, at most 30."""
    import html
    import re

    document = Document.objects.create(organisation=world.client, programme=planned, kind="plan")
    client.force_login(world.users[Role.PROJECT_LEADER])
    kwargs = {"org": world.client.slug, "programme_pk": planned.pk, "document_pk": document.pk}
    url, delays = reverse("document_status", kwargs=kwargs), []
    for _ in range(8):
        page = client.get(url).content.decode()
        delays.append(int(re.search(r'hx-trigger="load delay:(\d+)s"', page).group(1)))
        url = html.unescape(re.search(r'hx-get="([^"]+)"', page).group(1))
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]
    assert "Wordt gemaakt… dit kan even duren." in page
    assert client.get(reverse("document_download", kwargs=kwargs)).status_code == 404
    # A made or failed document stops asking.
    for status in (Document.Status.READY, Document.Status.FAILED):
        Document.objects.filter(pk=document.pk).update(status=status)
        page = client.get(url).content.decode()
        assert "hx-get" not in page and "hx-trigger" not in page


def _pdf_pages(data: bytes) -> int:
    """Count page objects, also inside compressed object streams (WeasyPrint makes those)."""
    import re
    import zlib

    chunks = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            chunks.append(zlib.decompressobj().decompress(data[match.end() :]))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", c)) for c in chunks)


def test_plan_pdf_has_no_near_empty_last_page(world, planned):
    """A typical plan (intake and the standard timeline) fills two pages; the last one is not
    a stray line or a lone row of the timeline."""
    import shutil
    import subprocess

    from programmes.pdf import render_pdf

    document = Document(organisation=world.client, programme=planned, kind="plan")
    template, context, language = BUILDERS["plan"](document)
    data = render_pdf(template=template, context=context, language=language)
    assert _pdf_pages(data) == 2
    if shutil.which("pdftotext"):
        last = subprocess.run(
            ["pdftotext", "-f", "2", "-l", "2", "-layout", "-", "-"],
            input=data,
            capture_output=True,
            check=True,
        ).stdout.decode()
        lines = [line for line in last.splitlines() if line.strip()]
        assert len(lines) >= 10, last
