"""Demo data of reporting: the running team's periodic reports. It gets one every month; last
month's was approved and mailed to the client (its PDF is on the client's documents page), and
the project leader has a draft over this month so far, with commentary and highlights, waiting
for approval. Called by the `demo_data` command after the other apps made their rounds and
signals."""

from datetime import timedelta

from programmes import demo

from .models.reports import Frequency, PeriodicReport, ReportSchedule
from .periods import month_period
from .selectors.reports import resolved_signals
from .services import reports as services
from .services.summary import summaries_rebuild

SENT_COMMENTARY = (
    "Het team heeft deze maand elke week gelopen, ook in de regen. De meldingen over "
    "zwerfafval rond de containers aan de Tarwestraat zijn sterk gedaald sinds de extra "
    "ophaaldag. Aandachtspunt: de verlichting in de brandgang achter de Pleinweg; die "
    "melding staat nog open bij de gemeente."
)
DRAFT_COMMENTARY = (
    "Een rustige start van de maand. Twee nieuwe teamleden lopen sinds deze week mee. "
    "Graag bespreken we in het volgende overleg de hangplek bij het speelveld."
)


def load(ctx: demo.DemoContext) -> None:
    programme = ctx.programmes[demo.RUNNING]
    if ReportSchedule.objects.filter(programme=programme).exists():
        return
    leader = ctx.leader
    services.report_schedule_set(actor=leader, programme=programme, frequency=Frequency.MONTHLY)
    # The figures of the PDF read the dashboard's summaries: bring them up to date with the
    # rounds and signals the other apps just made.
    summaries_rebuild()
    last_month = ctx.today.replace(day=1) - timedelta(days=1)
    start, end = month_period(last_month.year, last_month.month)
    sent, _ = services.report_draft(programme=programme, period_start=start, period_end=end)
    highlights = list(resolved_signals(report=sent).values_list("pk", flat=True)[:3])
    services.report_update(
        actor=leader, report=sent, commentary=SENT_COMMENTARY, highlights=highlights
    )
    # Made and mailed once the demo's transaction commits, as in the product.
    services.report_approve(actor=leader, report=sent)
    # This month so far (or, on the first of the month, the month before last).
    if ctx.today.day > 1:
        draft_start, draft_end = ctx.today.replace(day=1), ctx.today
    else:
        before = start - timedelta(days=1)
        draft_start, draft_end = month_period(before.year, before.month)
    draft, _ = services.report_request(
        actor=leader, programme=programme, period_start=draft_start, period_end=draft_end
    )
    highlights = list(resolved_signals(report=draft).values_list("pk", flat=True)[:2])
    services.report_update(
        actor=leader, report=draft, commentary=DRAFT_COMMENTARY, highlights=highlights
    )
    PeriodicReport.objects.filter(pk=sent.pk).update(
        created_at=ctx.at((ctx.today - ctx.today.replace(day=1)).days, 6)
    )
    ctx.created += 2
    # Last night's retention run, over everything the demo made (logged on the Privacy page).
    from programmes.services.privacy import retention_run  # noqa: PLC0415 - beside its one use

    retention_run()
