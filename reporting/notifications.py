"""What the reporting app tells people through the base's notifications: a periodic report's
draft is waiting for the programme's project leaders (drafted by the beat or on request), and
the approved report has been mailed to the client's contacts (informational).

Both go after commit (`notify_on_commit`): drafting or sending never waits for, or fails with,
the notice. The dedupe key is the report's, so a report is announced once per kind however
often the beat, the document task or a retry runs.
"""

from django.urls import reverse
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programmes.models import User
from programmes.notification_kinds import NotificationKind, register_notification_kind
from programmes.permissions import Role
from programmes.services.notifications import notify_on_commit

from .models.reports import PeriodicReport
from .periods import period_label

REPORT_DRAFT_READY = "reporting.report_draft_ready"
REPORT_SENT = "reporting.report_sent"

KINDS = (
    NotificationKind(
        code=REPORT_DRAFT_READY,
        label=_("Periodic report draft ready"),
        description=_(
            "A periodic report of your programme waits for your commentary and approval."
        ),
        audience={Role.PROJECT_LEADER},
        order=60,
    ),
    NotificationKind(
        code=REPORT_SENT,
        label=_("Periodic report sent"),
        description=_("An approved periodic report was mailed to the client's contacts."),
        audience={Role.PROJECT_LEADER},
        default_email=False,
        order=61,
    ),
)


def _mailed_to(count: int) -> str:
    return ngettext(
        "Mailed to %(count)s client contact.", "Mailed to %(count)s client contacts.", count
    ) % {"count": count}


# In the reader's language: the notice's title and body are rendered per recipient.
_period_label = lazy(period_label, str)
_mailed_to_lazy = lazy(_mailed_to, str)


def register() -> None:
    """Register the app's notification kinds (from `ReportingConfig.ready`)."""
    for kind in KINDS:
        register_notification_kind(kind)


def _leaders(report: PeriodicReport) -> list[User]:
    return list(
        report.programme.project_leaders.filter(role=Role.PROJECT_LEADER, is_active=True).order_by(
            "pk"
        )
    )


def _report_url(report: PeriodicReport) -> str:
    return reverse(
        "reporting:report_detail",
        kwargs={
            "org": report.organisation.slug,
            "programme_pk": report.programme_id,
            "report_pk": report.pk,
        },
    )


def report_drafted_notify(*, report: PeriodicReport) -> None:
    """Tell the programme's project leaders, after commit, that a draft waits for them."""
    notify_on_commit(
        kind=REPORT_DRAFT_READY,
        recipients=_leaders(report),
        title=format_lazy(
            _("Report draft ready: {programme}, {period}"),
            programme=report.programme.name,
            period=_period_label(report.period_start, report.period_end),
        ),
        body=_("Add your commentary and highlights, then approve it to send it to the client."),
        url=_report_url(report),
        dedupe_key=f"report-draft:{report.pk}",
        organisation=report.organisation,
        programme=report.programme,
    )


def report_sent_notify(*, report: PeriodicReport, recipients: int) -> None:
    """Tell the programme's project leaders, after commit, that the report went out."""
    notify_on_commit(
        kind=REPORT_SENT,
        recipients=_leaders(report),
        title=format_lazy(
            _("Report sent: {programme}, {period}"),
            programme=report.programme.name,
            period=_period_label(report.period_start, report.period_end),
        ),
        body=_mailed_to_lazy(recipients),
        url=_report_url(report),
        dedupe_key=f"report-sent:{report.pk}",
        organisation=report.organisation,
        programme=report.programme,
    )
