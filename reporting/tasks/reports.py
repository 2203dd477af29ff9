"""Drafts the periodic reports on the first working day and marks the approved ones whose PDF
could not be made as failed. Sending is the report document's `on_ready`
(`reporting.services.reports.report_send`), run by the base's document task."""

from celery import shared_task
from django_scopes import scope, scopes_disabled

from programmes.models import Programme

from ..models.reports import PeriodicReport
from ..selectors.reports import reports_due
from ..services import reports as services

__all__ = ["reports_draft_due", "reports_fail_unmade"]


@shared_task(acks_late=True)
def reports_draft_due() -> int:
    """Periodic (several times a day): draft the report of every programme whose schedule
    asks for one and whose period just ended, from the first working day of the next period
    on. Idempotent: a report exists once per programme and period."""
    # Finding what is due spans every tenant: scoping is off for the look-up only; each
    # report is drafted inside its own organisation's scope.
    with scopes_disabled():
        due = reports_due()
    drafted = 0
    for programme_id, organisation_id, start, end in due:
        with scope(organisation=organisation_id):
            programme = Programme.objects.filter(pk=programme_id).first()
            if programme is None:
                continue
            _report, created = services.report_draft(
                programme=programme, period_start=start, period_end=end
            )
            drafted += created
    return drafted


@shared_task(acks_late=True)
def reports_fail_unmade() -> int:
    """Periodic: an approved report whose PDF the document pipeline gave up on shows as
    failed (with "try again"), in each organisation's scope."""
    # Which organisations have approved reports spans every tenant: ids only.
    with scopes_disabled():
        organisation_ids = list(
            PeriodicReport.objects.filter(status=PeriodicReport.Status.APPROVED)
            .values_list("organisation_id", flat=True)
            .distinct()
        )
    count = 0
    for organisation_id in organisation_ids:
        with scope(organisation=organisation_id):
            count += services.reports_fail_unmade()
    return count
