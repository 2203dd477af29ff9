"""The periodic report's cycle: drafted, edited and approved by the project leader, its PDF made
and mailed to the client's contacts once (approving twice, the task running twice, a worker
dying mid-send), failed visibly, and its pages for the right people only."""

import datetime as dt
import uuid
from email.utils import parseaddr

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from patrols import services as patrols
from programmes import services as base
from programmes.models import AuditEntry, Document, OutboxMessage
from programmes.permissions import Role
from programmes.services.documents import document_build, document_requeue_stale
from reporting.models.reports import PERIODIC_REPORT, PeriodicReport
from reporting.selectors import reports as selectors
from reporting.services import reports as services

from ..factories import UserFactory


class WorkerDied(BaseException):
    """A worker killed mid-send: not an error the document pipeline catches."""


@pytest.fixture
def setup(world, team):
    """(programme, contacts): `team`'s programme with two client contacts of the client."""
    programme, member, categories = team
    staff = world.users[Role.CLIENT_STAFF]
    second = UserFactory(
        email="wijk@noord.example", role=Role.CLIENT_STAFF, organisation=world.client
    )
    programme.client_contacts.set([staff, second])
    return programme, [staff, second]


def _this_month():
    today = timezone.localdate()
    return today.replace(day=1), today


def _resolved_signal(team, world, description):
    programme, member, categories = team
    signal, _ = patrols.signal_report(
        actor=member,
        programme=programme,
        uuid=uuid.uuid4(),
        category=categories[0],
        description=description,
        reported_at=timezone.now() - dt.timedelta(minutes=5),
        street="Lindelaan",
    )
    return patrols.signal_transition(
        actor=world.users[Role.CLIENT_STAFF],
        signal=signal,
        status="resolved",
        text="Opgeruimd",
    )


def _report_mails(mailoutbox):
    return [m for m in mailoutbox if m.attachments and m.attachments[0][2] == "application/pdf"]


def test_draft_approve_send_mails_each_contact_once_with_the_pdf(
    world, team, setup, mailoutbox, django_capture_on_commit_callbacks
):
    programme, contacts = setup
    pl = world.users[Role.PROJECT_LEADER]
    start, end = _this_month()
    report, created = services.report_draft(programme=programme, period_start=start, period_end=end)
    assert created and report.status == PeriodicReport.Status.DRAFT
    signal = _resolved_signal(team, world, "Matras bij de container")
    report = services.report_update(
        actor=pl, report=report, commentary="Goede maand.", highlights=[signal.pk]
    )
    assert selectors.chosen_highlights(report=report) == [signal]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_approve(actor=pl, report=report)
    report.refresh_from_db()
    assert report.status == PeriodicReport.Status.SENT and report.sent_at is not None
    assert report.approved_by == pl and report.document.status == Document.Status.READY
    mails = _report_mails(mailoutbox)
    assert sorted(parseaddr(m.to[0])[1] for m in mails) == sorted(u.email for u in contacts)
    # Only the contacts: not the project leader, not the client's other staff or members.
    assert len(mailoutbox) == 2
    name, content, mime = mails[0].attachments[0]
    assert content[:5] == b"%PDF-" and name.endswith(".pdf")
    actions = list(
        AuditEntry.objects.filter(object_id=str(report.pk), action__startswith="report.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["report.drafted", "report.updated", "report.approved", "report.sent"]

    # Approving again is refused and makes no second document; the task running again, or
    # the document's on_ready called again, mails nobody.
    with pytest.raises(ValidationError), django_capture_on_commit_callbacks(execute=True):
        services.report_approve(actor=pl, report=report)
    with django_capture_on_commit_callbacks(execute=True):
        assert document_build(document_id=report.document_id) == "skipped"
        services.report_send(report.document)
    assert Document.objects.filter(kind=PERIODIC_REPORT).count() == 1
    assert len(mailoutbox) == 2
    assert OutboxMessage.objects.filter(ref=f"report:{report.pk}").count() == 2


def test_a_worker_dying_mid_send_leaves_no_mail_and_the_sweep_sends_once(
    world, setup, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    programme, contacts = setup
    pl = world.users[Role.PROJECT_LEADER]
    start, end = _this_month()
    report, _ = services.report_draft(programme=programme, period_start=start, period_end=end)
    real_queue = services.mail_queue
    queued = []

    def dies_after_the_first(**kwargs):
        if queued:
            raise WorkerDied
        queued.append(real_queue(**kwargs))

    monkeypatch.setattr(services, "mail_queue", dies_after_the_first)
    with pytest.raises(WorkerDied), django_capture_on_commit_callbacks(execute=True):
        services.report_approve(actor=pl, report=report)
    report.refresh_from_db()
    # Everything of the send rolled back with the worker: no mail, the report still approved,
    # the document still pending (its attempt started).
    assert OutboxMessage.objects.filter(ref=f"report:{report.pk}").count() == 0
    assert report.status == PeriodicReport.Status.APPROVED
    assert report.document.status == Document.Status.PENDING
    monkeypatch.setattr(services, "mail_queue", real_queue)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert document_requeue_stale(now=timezone.now() + dt.timedelta(minutes=10)) == 1
    report.refresh_from_db()
    assert report.status == PeriodicReport.Status.SENT
    assert sorted(parseaddr(m.to[0])[1] for m in _report_mails(mailoutbox)) == sorted(
        u.email for u in contacts
    )
    with django_capture_on_commit_callbacks(execute=True):
        document_requeue_stale(now=timezone.now() + dt.timedelta(minutes=20))
    assert len(_report_mails(mailoutbox)) == 2


def test_a_failed_pdf_shows_failed_and_try_again_sends(
    world, setup, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    programme, contacts = setup
    pl = world.users[Role.PROJECT_LEADER]
    start, end = _this_month()
    report, _ = services.report_draft(programme=programme, period_start=start, period_end=end)

    def broken(document):
        raise RuntimeError("template bug")

    from programmes.services.documents import BUILDERS

    monkeypatch.setitem(BUILDERS, PERIODIC_REPORT, broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_approve(actor=pl, report=report)
    assert services.reports_fail_unmade() == 1
    report.refresh_from_db()
    assert report.status == PeriodicReport.Status.FAILED and _report_mails(mailoutbox) == []
    monkeypatch.setitem(BUILDERS, PERIODIC_REPORT, selectors.report_pdf)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_retry(actor=pl, report=report)
    report.refresh_from_db()
    assert report.status == PeriodicReport.Status.SENT
    assert len(_report_mails(mailoutbox)) == 2


def test_no_contact_no_approval(world, team):
    programme = team[0]
    start, end = _this_month()
    report, _ = services.report_draft(programme=programme, period_start=start, period_end=end)
    with pytest.raises(ValidationError):
        services.report_approve(actor=world.users[Role.PROJECT_LEADER], report=report)
    report.refresh_from_db()
    assert report.status == PeriodicReport.Status.DRAFT and report.document is None


def test_highlights_only_among_signals_resolved_in_the_period(world, team, setup):
    programme, _ = setup
    pl = world.users[Role.PROJECT_LEADER]
    signal = _resolved_signal(team, world, "Losse stoeptegel")
    open_signal = patrols.signal_report(
        actor=team[1],
        programme=programme,
        uuid=uuid.uuid4(),
        category=team[2][0],
        description="Kapotte lamp",
        reported_at=timezone.now(),
    )[0]
    last_month_end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    old, _ = services.report_draft(
        programme=programme,
        period_start=last_month_end.replace(day=1),
        period_end=last_month_end,
    )
    with pytest.raises(ValidationError):
        services.report_update(actor=pl, report=old, commentary="", highlights=[signal.pk])
    start, end = _this_month()
    report, _ = services.report_draft(programme=programme, period_start=start, period_end=end)
    with pytest.raises(ValidationError):
        services.report_update(actor=pl, report=report, commentary="", highlights=[open_signal.pk])
    with pytest.raises(ValidationError):
        services.report_update(actor=pl, report=report, commentary="", highlights=list(range(1, 9)))
    assert [s.pk for s in selectors.highlight_candidates(report=report)] == [signal.pk]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-03-31", "2026-03-01"),  # end before start
        ("2024-01-01", "2025-06-30"),  # longer than a year
        ("1999-12-01", "1999-12-31"),  # outside the product's dates
        ("2098-01-01", "2098-01-31"),  # not begun
        ("gisteren", "2026-01-31"),  # not a date
    ],
)
def test_any_period_with_bad_dates_is_refused_with_a_message(
    client, world, setup, unscoped, start, end
):
    programme, _ = setup
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "reporting:programme_reports",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    response = client.post(url, {"period_start": start, "period_end": end})
    assert response.status_code == 200
    assert response.context["period_form"].errors
    assert not PeriodicReport.objects.exists()


def test_any_period_on_request_drafts_once(client, world, setup, unscoped):
    programme, _ = setup
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "reporting:programme_reports",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    data = {"period_start": "2026-09-07", "period_end": "2026-11-30"}
    first = client.post(url, data)
    second = client.post(url, data)
    report = PeriodicReport.objects.get()
    assert (
        first["Location"]
        == second["Location"]
        == reverse(
            "reporting:report_detail",
            kwargs={"org": world.client.slug, "programme_pk": programme.pk, "report_pk": report.pk},
        )
    )
    assert report.requested_by == world.users[Role.PROJECT_LEADER]
    page = client.get(first["Location"])
    assert page.status_code == 200
    preview = reverse(
        "reporting:report_preview",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk, "report_pk": report.pk},
    )
    assert preview.encode() in page.content


def test_pages_show_the_draft_and_its_progress(
    client, world, team, setup, unscoped, django_capture_on_commit_callbacks
):
    programme, contacts = setup
    client.force_login(world.users[Role.PROJECT_LEADER])
    start, end = _this_month()
    report, _ = services.report_draft(programme=programme, period_start=start, period_end=end)
    kwargs = {"org": world.client.slug, "programme_pk": programme.pk, "report_pk": report.pk}
    listing = client.get(
        reverse(
            "reporting:programme_reports",
            kwargs={"org": world.client.slug, "programme_pk": programme.pk},
        )
    )
    assert reverse("reporting:report_detail", kwargs=kwargs).encode() in listing.content
    preview = client.get(reverse("reporting:report_preview", kwargs=kwargs))
    assert preview["Content-Type"] == "application/pdf" and preview.content[:5] == b"%PDF-"
    # The preview is stored nowhere: nothing of a draft reaches the client's documents.
    assert not Document.objects.filter(kind=PERIODIC_REPORT).exists()
    # Approving needs the confirmation.
    response = client.post(reverse("reporting:report_approve", kwargs=kwargs))
    report.refresh_from_db()
    assert response.status_code == 302 and report.status == PeriodicReport.Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:report_approve", kwargs=kwargs), {"confirm": "1"})
    report.refresh_from_db()
    assert report.status == PeriodicReport.Status.SENT
    progress = client.get(reverse("reporting:report_progress", kwargs=kwargs))
    text = progress.content.decode()
    assert "hx-get" not in text or "queued" in text  # settled once every mail has left
    for user in contacts:
        assert user.email in text


def test_the_client_sees_a_report_only_once_sent(world, setup, django_capture_on_commit_callbacks):
    from programmes import registry

    programme, _ = setup
    start, end = _this_month()
    report, _ = services.report_draft(programme=programme, period_start=start, period_end=end)
    visible = registry.document_kind(PERIODIC_REPORT).client_visible
    assert not Document.objects.filter(visible()).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_approve(actor=world.users[Role.PROJECT_LEADER], report=report)
    report.refresh_from_db()
    assert list(Document.objects.filter(visible())) == [report.document]


def test_another_clients_report_is_a_404(client, world, other_world, setup, unscoped):
    programme, _ = setup
    report, _ = services.report_draft(
        programme=programme, period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 10, 31)
    )
    opl = other_world.users[Role.PROJECT_LEADER]
    other = base.programme_create(
        actor=opl,
        client=other_world.client,
        project_leaders=[opl],
        name="Elders",
        neighbourhood="Zuid",
        municipality="Zuidstad",
        start_date=dt.date(2026, 9, 7),
    )
    client.force_login(opl)
    # Their own programme's URL with our report's id: not theirs.
    url = reverse(
        "reporting:report_detail",
        kwargs={"org": other_world.client.slug, "programme_pk": other.pk, "report_pk": report.pk},
    )
    assert client.get(url).status_code == 404
    client.force_login(world.users[Role.CLIENT_STAFF])
    ours = reverse(
        "reporting:report_detail",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk, "report_pk": report.pk},
    )
    assert client.get(ours).status_code == 403


def test_the_reports_list_costs_the_same_queries_at_3_and_30_reports(
    client, world, setup, unscoped
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    programme, _ = setup
    client.force_login(world.users[Role.PROJECT_LEADER])
    url = reverse(
        "reporting:programme_reports",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )

    def add(count, offset):
        for month in range(offset, offset + count):
            year, month_ = 2024 + month // 12, month % 12 + 1
            start = dt.date(year, month_, 1)
            end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            services.report_draft(programme=programme, period_start=start, period_end=end)

    add(3, 0)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(27, 3)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_the_client_cannot_fetch_an_unsent_reports_pdf_by_its_address(client, world, setup):
    """The documents page lists a report's PDF once sent; its download, status and retry
    addresses answer the client the same way, so a guessed address shows no draft."""
    from django.core.files.base import ContentFile

    programme, _ = setup
    report, _ = services.report_draft(
        programme=programme, period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 11, 1)
    )
    document = Document.objects.create(
        organisation=programme.organisation,
        programme=programme,
        kind=PERIODIC_REPORT,
        status=Document.Status.READY,
        file=ContentFile(b"%PDF-1.4 draft", name="rapportage.pdf"),
    )
    PeriodicReport.objects.filter(pk=report.pk).update(
        document=document, status=PeriodicReport.Status.APPROVED
    )
    kwargs = {"org": world.client.slug, "programme_pk": programme.pk, "document_pk": document.pk}
    download = reverse("document_download", kwargs=kwargs)
    status = reverse("document_status", kwargs=kwargs)
    client.force_login(world.users[Role.CLIENT_STAFF])
    assert client.get(download).status_code == 404
    assert client.get(status).status_code == 404
    client.force_login(world.users[Role.PROJECT_LEADER])
    assert client.get(download).status_code == 200
    PeriodicReport.objects.filter(pk=report.pk).update(status=PeriodicReport.Status.SENT)
    client.force_login(world.users[Role.CLIENT_STAFF])
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 draft"
