"""The project leader hears that a periodic report's draft waits for them (drafted by the beat
or on request), with a link to the draft, and that an approved report went out: once per
report, only to the programme's own project leaders."""

import datetime as dt
from email.utils import parseaddr

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from programmes.models import Notification
from programmes.notification_kinds import notification_kinds
from programmes.permissions import Role
from reporting.models.reports import PeriodicReport, ReportSchedule
from reporting.notifications import REPORT_DRAFT_READY, REPORT_SENT
from reporting.periods import period_label
from reporting.services import reports as services
from reporting.tasks.reports import reports_draft_due

from ..factories import UserFactory


@pytest.fixture
def setup(world, team):
    """(programme, leader, other leader): `team`'s programme with a client contact, and a
    project leader of the same consultancy who does not lead it."""
    programme, member, categories = team
    programme.client_contacts.set([world.users[Role.CLIENT_STAFF]])
    stranger = UserFactory(
        email="andere-pl@swa.example",
        role=Role.PROJECT_LEADER,
        organisation=world.users[Role.PROJECT_LEADER].organisation,
    )
    return programme, world.users[Role.PROJECT_LEADER], stranger


def _draft_url(report):
    return reverse(
        "reporting:report_detail",
        kwargs={
            "org": report.organisation.slug,
            "programme_pk": report.programme_id,
            "report_pk": report.pk,
        },
    )


def test_the_kinds_are_registered_for_project_leaders_only(world):
    leader = world.users[Role.PROJECT_LEADER]
    codes = {kind.code for kind in notification_kinds(user=leader)}
    assert {REPORT_DRAFT_READY, REPORT_SENT} <= codes
    for role in (Role.CLIENT_STAFF, Role.TEAM_MEMBER):
        codes = {kind.code for kind in notification_kinds(user=world.users[role])}
        assert not {REPORT_DRAFT_READY, REPORT_SENT} & codes


def test_the_beat_drafting_a_report_tells_the_leader_once_with_a_link(
    world, setup, unscoped, mailoutbox, django_capture_on_commit_callbacks
):
    programme, leader, stranger = setup
    # A programme of last year, so today's due period lies after its start.
    type(programme).objects.filter(pk=programme.pk).update(
        created_at=timezone.now() - dt.timedelta(days=400)
    )
    ReportSchedule.objects.create(
        organisation=programme.organisation, programme=programme, frequency="monthly"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert reports_draft_due() == 1
    report = PeriodicReport.objects.get(programme=programme)
    notices = list(Notification.objects.filter(kind=REPORT_DRAFT_READY))
    assert [n.recipient for n in notices] == [leader]
    notice = notices[0]
    assert notice.url == _draft_url(report)
    assert notice.dedupe_key == f"report-draft:{report.pk}"
    with translation.override("nl"):
        period = period_label(report.period_start, report.period_end)
    assert notice.title == f"Rapportage klaar om na te kijken: Team Noord, {period}"
    # By mail too, at once, to the leader only (the kind's default).
    assert [parseaddr(m.to[0])[1] for m in mailoutbox] == [leader.email]
    assert period in mailoutbox[0].subject or period in mailoutbox[0].body

    # The beat runs again (several times a day): no second report, no second notice.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert reports_draft_due() == 0
    assert Notification.objects.filter(kind=REPORT_DRAFT_READY).count() == 1
    assert mailoutbox == []


def test_a_report_asked_for_tells_the_leader_and_asking_again_does_not(
    world, setup, unscoped, django_capture_on_commit_callbacks
):
    programme, leader, stranger = setup
    start, end = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            report, _created = services.report_request(
                actor=leader, programme=programme, period_start=start, period_end=end
            )
    notices = Notification.objects.filter(kind=REPORT_DRAFT_READY)
    assert list(notices.values_list("recipient_id", "dedupe_key")) == [
        (leader.pk, f"report-draft:{report.pk}")
    ]
    assert notices.get().title == "Rapportage klaar om na te kijken: Team Noord, oktober 2026"


def test_the_draft_notice_waits_for_the_commit(
    world, setup, unscoped, django_capture_on_commit_callbacks
):
    programme, leader, stranger = setup
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.report_draft(
            programme=programme, period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 10, 31)
        )
    # The notice waits for the commit: nothing is written before it.
    assert len(callbacks) == 1
    assert not Notification.objects.filter(kind=REPORT_DRAFT_READY).exists()


def test_the_report_sent_tells_the_leader_in_the_app_once(
    world, setup, unscoped, mailoutbox, django_capture_on_commit_callbacks
):
    programme, leader, stranger = setup
    report, _ = services.report_draft(
        programme=programme, period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 9, 30)
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_approve(actor=leader, report=report)
    report.refresh_from_db()
    assert report.status == PeriodicReport.Status.SENT
    notice = Notification.objects.get(kind=REPORT_SENT)
    assert notice.recipient == leader and notice.in_app
    assert notice.url == _draft_url(report)
    assert notice.title == "Rapportage verstuurd: Team Noord, 3e kwartaal 2026"
    assert notice.body == "Gemaild naar 1 contactpersoon van de opdrachtgever."
    # Informational: not by mail unless the leader asks for it; only the contact's report mail.
    assert notice.mail == Notification.Mail.NONE
    assert [parseaddr(m.to[0])[1] for m in mailoutbox] == [world.users[Role.CLIENT_STAFF].email]

    # The document's on_ready running again sends nothing and tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        services.report_send(report.document)
    assert Notification.objects.filter(kind=REPORT_SENT).count() == 1


@pytest.mark.parametrize(
    ("start", "end", "nl", "en"),
    [
        (dt.date(2026, 10, 1), dt.date(2026, 10, 31), "oktober 2026", "October 2026"),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28), "februari 2026", "February 2026"),
        (dt.date(2026, 7, 1), dt.date(2026, 9, 30), "3e kwartaal 2026", "quarter 3 2026"),
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31), "2026", "2026"),
        (
            dt.date(2026, 10, 5),
            dt.date(2026, 10, 20),
            "5 oktober 2026 – 20 oktober 2026",
            "5 October 2026 – 20 October 2026",
        ),
        # A month and a half is no month.
        (
            dt.date(2026, 10, 1),
            dt.date(2026, 11, 15),
            "1 oktober 2026 – 15 november 2026",
            "1 October 2026 – 15 November 2026",
        ),
    ],
)
def test_period_label(start, end, nl, en):
    with translation.override("nl"):
        assert period_label(start, end) == nl
    with translation.override("en"):
        assert period_label(start, end) == en
