"""Writes of the periodic report: the schedule, drafting, the project leader's edits, approval,
and sending once the PDF is made.

Sent once, whatever runs twice: approval locks the report and moves it from draft only once
(a second approval is refused, so there is one document); the mails are queued by the
document's `on_ready` (`report_send`), which the document pipeline runs inside the one
transaction that marks the PDF ready (only one attempt can win it), and which itself only acts
on an approved report whose document this is. A worker that dies before that transaction
commits leaves no mail and a pending document, which the document sweep makes again; one
that dies after has queued the mails in the outbox, whose own claim sends each once.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import audit_log
from programmes.input import validate_date_range
from programmes.mail import mail_hold, mail_queue
from programmes.models import Document
from programmes.services.common import apply_changes
from programmes.services.documents import document_request, document_retry

from ..models.reports import (
    COMMENTARY_MAX,
    HIGHLIGHTS_MAX,
    PERIODIC_REPORT,
    PeriodicReport,
    ReportSchedule,
)
from ..notifications import report_drafted_notify, report_sent_notify
from ..periods import PERIOD_MAX_DAYS
from ..selectors.reports import (
    report_document_ref,
    report_id_of,
    report_recipients,
    resolved_signals,
)
from ..workflow import check_transition

Status = PeriodicReport.Status

__all__ = [
    "report_approve",
    "report_draft",
    "report_request",
    "report_retry",
    "report_schedule_set",
    "report_send",
    "report_update",
    "reports_fail_unmade",
]


def report_ref(report: PeriodicReport) -> str:
    """The outbox's `ref` of a report's mails, so its page can show how they fare."""
    return f"report:{report.pk}"


@transaction.atomic
def report_schedule_set(*, actor, programme, frequency: str) -> ReportSchedule:
    """Set how often the programme's periodic report is drafted (monthly, quarterly, off)."""
    schedule = ReportSchedule.objects.select_for_update().filter(programme=programme).first()
    if schedule is None:
        schedule = ReportSchedule(organisation=programme.organisation, programme=programme)
    previous = schedule.frequency if schedule.pk else ""
    apply_changes(schedule, {"frequency": frequency}, allowed=("frequency",))
    if previous == frequency:
        return schedule
    schedule.updated_at = timezone.now()
    schedule.full_clean(exclude=["organisation", "programme"])
    schedule.save()
    audit_log(
        actor=actor,
        organisation=programme.organisation,
        action="report.schedule_set",
        obj=schedule,
        data={"from": previous, "to": frequency},
    )
    return schedule


def _check_period(period_start: datetime.date, period_end: datetime.date) -> None:
    """A period within the product's dates, in order, at most a year long, not in the future."""
    validate_date_range(period_start)
    validate_date_range(period_end)
    if period_end < period_start:
        raise ValidationError(_("The end of the period lies before its start."))
    if (period_end - period_start).days + 1 > PERIOD_MAX_DAYS:
        raise ValidationError(_("A report covers at most a year."))
    if period_start > timezone.localdate():
        raise ValidationError(_("A report covers a period that has begun."))


def report_draft(
    *, programme, period_start: datetime.date, period_end: datetime.date, actor=None
) -> tuple[PeriodicReport, bool]:
    """The programme's report for this period, drafted now unless it exists (then returned
    as it is): (report, whether it was drafted now). Safe to run twice at once: the unique
    constraint keeps one, and the loser returns the winner's."""
    _check_period(period_start, period_end)
    existing = PeriodicReport.objects.filter(
        programme=programme, period_start=period_start, period_end=period_end
    ).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            report = PeriodicReport(
                organisation=programme.organisation,
                programme=programme,
                period_start=period_start,
                period_end=period_end,
                requested_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            report.full_clean(exclude=["organisation", "programme", "requested_by", "document"])
            report.save()
            audit_log(
                actor=actor,
                organisation=programme.organisation,
                action="report.drafted",
                obj=report,
                data={"from": period_start.isoformat(), "to": period_end.isoformat()},
            )
            report_drafted_notify(report=report)
    except IntegrityError:
        # Drafted by another run a moment ago.
        return PeriodicReport.objects.get(
            programme=programme, period_start=period_start, period_end=period_end
        ), False
    return report, True


def report_request(
    *, actor, programme, period_start: datetime.date, period_end: datetime.date
) -> tuple[PeriodicReport, bool]:
    """A report for any period, asked for from the programme's reports page."""
    return report_draft(
        programme=programme, period_start=period_start, period_end=period_end, actor=actor
    )


@transaction.atomic
def report_update(
    *, actor, report: PeriodicReport, commentary: str, highlights: list[int]
) -> PeriodicReport:
    """Save the project leader's commentary and chosen highlights on a draft; a highlight must
    be a signal of the programme resolved in the period."""
    report = PeriodicReport.objects.select_for_update().get(pk=report.pk)
    if report.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be changed."))
    commentary = (commentary or "").strip()
    if len(commentary) > COMMENTARY_MAX:
        raise ValidationError(
            _("The commentary is at most %(max)s characters.") % {"max": COMMENTARY_MAX}
        )
    chosen = list(dict.fromkeys(int(pk) for pk in highlights))
    if len(chosen) > HIGHLIGHTS_MAX:
        raise ValidationError(_("Choose at most %(max)s highlights.") % {"max": HIGHLIGHTS_MAX})
    if chosen:
        allowed = set(
            resolved_signals(report=report).filter(pk__in=chosen).values_list("pk", flat=True)
        )
        if set(chosen) - allowed:
            raise ValidationError(_("Choose highlights among the signals resolved in the period."))
    changed = apply_changes(
        report,
        {"commentary": commentary, "highlights": chosen},
        allowed=("commentary", "highlights"),
    )
    if changed:
        report.full_clean(exclude=["organisation", "programme", "requested_by", "document"])
        report.save(update_fields=changed)
        audit_log(
            actor=actor,
            organisation=report.organisation,
            action="report.updated",
            obj=report,
            data={"fields": changed},
        )
    return report


@transaction.atomic
def report_approve(*, actor, report: PeriodicReport) -> PeriodicReport:
    """Approve a draft: its PDF is made in the background and then mailed to the client's
    contacts (`report_send`). Approving again is refused; a report without anyone to send it
    to cannot be approved."""
    report = PeriodicReport.objects.select_for_update().get(pk=report.pk)
    check_transition(report.status, Status.APPROVED)
    if not report_recipients(programme=report.programme):
        raise ValidationError(
            _("The programme has no client contact with an e-mail address to send it to.")
        )
    report.document = document_request(
        actor=actor,
        organisation=report.organisation,
        programme=report.programme,
        kind=PERIODIC_REPORT,
        ref=report_document_ref(report),
    )
    report.status = Status.APPROVED
    report.approved_by = actor
    report.approved_at = timezone.now()
    report.error = ""
    report.save(update_fields=["document", "status", "approved_by", "approved_at", "error"])
    audit_log(actor=actor, organisation=report.organisation, action="report.approved", obj=report)
    return report


def report_send(document: Document) -> None:
    """The document's `on_ready`: mail the approved report's PDF to the client's contacts and
    mark it sent. Runs inside the transaction that marks the document ready; anything but an
    approved report whose document this is (sent already, a stray copy) is left alone."""
    report = (
        PeriodicReport.objects.select_for_update()
        .select_related("programme", "organisation")
        .filter(pk=report_id_of(document))
        .first()
    )
    if report is None or report.status != Status.APPROVED or report.document_id != document.pk:
        return
    recipients = report_recipients(programme=report.programme)
    if not recipients:
        report.status = Status.FAILED
        report.error = "No client contact with an e-mail address."
        report.save(update_fields=["status", "error"])
        audit_log(actor=None, organisation=report.organisation, action="report.failed", obj=report)
        return
    with mail_hold(ref=report_ref(report), seconds=0):
        for user in recipients:
            mail_queue(
                organisation=report.organisation,
                programme=report.programme,
                to=user.email,
                to_name=user.name,
                language=user.language or "nl",
                template="reporting/periodic_report",
                context={"report": report, "recipient": user},
                attachment=document,
            )
    check_transition(report.status, Status.SENT)
    report.status = Status.SENT
    report.sent_at = timezone.now()
    report.save(update_fields=["status", "sent_at"])
    audit_log(
        actor=None,
        organisation=report.organisation,
        action="report.sent",
        obj=report,
        data={"recipients": len(recipients)},
    )
    report_sent_notify(report=report, recipients=len(recipients))


@transaction.atomic
def report_retry(*, actor, report: PeriodicReport) -> PeriodicReport:
    """Try a failed report again: its PDF is made again (or, when the PDF was made and nobody
    could be mailed, it is sent now to whoever is a contact today)."""
    report = PeriodicReport.objects.select_for_update().get(pk=report.pk)
    check_transition(report.status, Status.APPROVED)
    if not report_recipients(programme=report.programme):
        raise ValidationError(
            _("The programme has no client contact with an e-mail address to send it to.")
        )
    report.status = Status.APPROVED
    report.error = ""
    report.save(update_fields=["status", "error"])
    audit_log(actor=actor, organisation=report.organisation, action="report.retried", obj=report)
    document = report.document
    if document is None:
        report.document = document_request(
            actor=actor,
            organisation=report.organisation,
            programme=report.programme,
            kind=PERIODIC_REPORT,
            ref=report_document_ref(report),
        )
        report.save(update_fields=["document"])
    elif document.status == Document.Status.READY:
        report_send(document)
    else:
        document_retry(actor=actor, document=document)
    report.refresh_from_db()
    return report


def reports_fail_unmade() -> int:
    """Periodic, inside one organisation's scope: an approved report whose PDF failed (the
    document pipeline gave up on it) shows as failed, with "try again"."""
    failed = PeriodicReport.objects.filter(
        Q(status=Status.APPROVED)
        & (Q(document__status=Document.Status.FAILED) | Q(document__isnull=True))
    ).select_related("organisation")
    count = 0
    for report in failed[:200]:
        with transaction.atomic():
            locked = (
                PeriodicReport.objects.select_for_update()
                .filter(pk=report.pk, status=Status.APPROVED)
                .first()
            )
            if locked is None:
                continue
            locked.status = Status.FAILED
            locked.error = "The PDF could not be made."
            locked.save(update_fields=["status", "error"])
            audit_log(
                actor=None, organisation=locked.organisation, action="report.failed", obj=locked
            )
            count += 1
    return count
