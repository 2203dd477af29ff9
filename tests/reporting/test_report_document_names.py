"""A periodic report's PDF says its period: on the client's documents page ("Rapportage oktober
2026", "Rapportage 3e kwartaal 2026") and in its download and attachment name, so a year of
monthly reports are twelve different files."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from programmes.models import Document
from programmes.permissions import Role
from reporting.selectors.reports import report_document_label, report_id_of
from reporting.services import reports as services


@pytest.fixture
def sent_reports(world, team, unscoped, mailoutbox, django_capture_on_commit_callbacks):
    """(October's report, the third quarter's report), both approved and sent."""
    programme, member, categories = team
    programme.client_contacts.set([world.users[Role.CLIENT_STAFF]])
    reports = []
    for start, end in (
        (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
        (dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
    ):
        report, _ = services.report_draft(programme=programme, period_start=start, period_end=end)
        with django_capture_on_commit_callbacks(execute=True):
            services.report_approve(actor=world.users[Role.PROJECT_LEADER], report=report)
        report.refresh_from_db()
        assert report.status == report.Status.SENT
        reports.append(report)
    return reports


def test_each_report_pdf_is_named_by_its_period(sent_reports, mailoutbox):
    october, quarter = sent_reports
    with translation.override("nl"):
        assert october.document.label == "Rapportage oktober 2026"
        assert quarter.document.label == "Rapportage 3e kwartaal 2026"
        assert october.document.download_name == "rapportage-oktober-2026-noord.pdf"
        assert quarter.document.download_name == "rapportage-3e-kwartaal-2026-noord.pdf"
        # The kind stays one kind: the page's filter still says what it is.
        assert october.document.kind_label == "Periodieke rapportage"
    # The client's contact got each as its own file.
    names = sorted(m.attachments[0][0] for m in mailoutbox if m.attachments)
    assert names == ["rapportage-3e-kwartaal-2026-noord.pdf", "rapportage-oktober-2026-noord.pdf"]


def test_the_documents_page_shows_the_period_and_downloads_under_its_name(
    client, world, sent_reports
):
    october, quarter = sent_reports
    client.force_login(world.users[Role.CLIENT_STAFF])
    page = client.get(reverse("reporting:documents", kwargs={"org": world.client.slug})).text
    assert "Rapportage oktober 2026" in page and "Rapportage 3e kwartaal 2026" in page
    assert "Periodieke rapportage</td>" not in page
    assert 'download="rapportage-oktober-2026-noord.pdf"' in page
    assert 'download="rapportage-3e-kwartaal-2026-noord.pdf"' in page
    url = re.search(rf'href="([^"]+/{october.document_id}/download/)"', page).group(1)
    response = client.get(url)
    assert response.status_code == 200
    assert "rapportage-oktober-2026-noord.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("ref", "report_id", "label"),
    [
        ("12:2026-10-01:2026-10-31", 12, "Rapportage oktober 2026"),
        ("12", 12, ""),  # a ref of before the period was kept in it: the kind's label
        ("12:2026-13-01:2026-10-31", 12, ""),
        ("", 0, ""),
        ("x:2026-10-01:2026-10-31", 0, "Rapportage oktober 2026"),
    ],
)
def test_the_ref_holds_the_report_and_its_period(ref, report_id, label):
    document = Document(kind="periodic_report", ref=ref)
    assert report_id_of(document) == report_id
    with translation.override("nl"):
        assert report_document_label(document) == label
