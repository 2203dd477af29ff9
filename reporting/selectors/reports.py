"""Reads of the periodic report: a programme's reports, one report for the acting user, the
signals a report may highlight, who receives it, what the beat must draft, and the PDF's
contents (the document kind's builder).

The figures are the dashboard's (`reporting.selectors.figures.period_figures`), not a copy.
"""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from patrols.models import Signal
from patrols.workflow import Status as SignalStatus
from programmes.models import Document, OutboxMessage, Programme, User
from programmes.pdf import media_file_url

from ..charts import bar_chart, stacked_bar_chart
from ..models.reports import HIGHLIGHTS_MAX, Frequency, PeriodicReport, ReportSchedule
from ..periods import due_period, period_label
from .figures import MONTH, WEEK, period_figures

# The signals resolved in a period a project leader picks highlights from (newest first).
CANDIDATES_MAX = 40


def reports_of_programme(*, programme: Programme) -> QuerySet[PeriodicReport]:
    """The programme's reports, newest period first (paginated by the page)."""
    return (
        PeriodicReport.objects.filter(programme=programme)
        .select_related("document", "approved_by")
        .order_by("-period_start", "-period_end", "-id")
    )


def get_report_for(*, programme: Programme, pk: int) -> PeriodicReport:
    """The report with this id of this programme (the view checked who may see the
    programme); 404 for another programme's or a missing one."""
    report = (
        PeriodicReport.objects.filter(programme=programme, pk=pk)
        .select_related("document", "approved_by", "programme", "organisation")
        .first()
    )
    if report is None:
        raise Http404
    return report


def schedule_of(*, programme: Programme) -> str:
    """How often the programme's report is drafted (off when nothing was chosen)."""
    schedule = ReportSchedule.objects.filter(programme=programme).first()
    return schedule.frequency if schedule is not None else Frequency.OFF


def _day_after(day: datetime.date) -> datetime.datetime:
    """The start of the Amsterdam day after `day`: the end of a half-open range of moments."""
    following = day + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(following, datetime.time.min))


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def resolved_signals(*, report: PeriodicReport) -> QuerySet[Signal]:
    """Signals of the report's programme resolved in its period (closed as resolved, by the
    last close): the candidates for its highlights."""
    return (
        Signal.objects.filter(
            programme_id=report.programme_id,
            status=SignalStatus.RESOLVED,
            closed_at__gte=_start_of(report.period_start),
            closed_at__lt=_day_after(report.period_end),
        )
        .select_related("category")
        .order_by("-closed_at", "-id")
    )


def highlight_candidates(*, report: PeriodicReport) -> list[Signal]:
    """The newest CANDIDATES_MAX resolved signals of the period, and any chosen one beyond."""
    candidates = list(resolved_signals(report=report)[:CANDIDATES_MAX])
    shown = {s.pk for s in candidates}
    missing = [pk for pk in report.highlights if pk not in shown]
    if missing:
        candidates += list(resolved_signals(report=report).filter(pk__in=missing))
    return candidates


def chosen_highlights(*, report: PeriodicReport) -> list[Signal]:
    """The highlights the project leader chose, in their order (at most HIGHLIGHTS_MAX)."""
    ids = list(report.highlights)[:HIGHLIGHTS_MAX]
    found = {s.pk: s for s in resolved_signals(report=report).filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def report_recipients(*, programme: Programme) -> list[User]:
    """The client's contacts of the programme who can receive the report: active, with an
    e-mail address, and of the client itself (never a consultancy user or another client)."""
    return list(
        programme.client_contacts.filter(is_active=True, organisation_id=programme.organisation_id)
        .exclude(email="")
        .order_by("email")
    )


def report_messages(*, report: PeriodicReport) -> QuerySet[OutboxMessage]:
    """The mails the report went out with (one per contact), for its progress."""
    return OutboxMessage.objects.filter(
        ref=f"report:{report.pk}", programme_id=report.programme_id
    ).order_by("to_email")


# The mails of a report the progress shows (one per contact; a client has a few).
MAILS_SHOWN = 50


def report_progress(*, report: PeriodicReport) -> dict:
    """How the sending of an approved report goes: its mails (`mails`), and whether there is
    nothing left to wait for (`settled`: a draft, failed, or sent with every mail out)."""
    mails = list(report_messages(report=report)[:MAILS_SHOWN])
    settled = report.status in (PeriodicReport.Status.DRAFT, PeriodicReport.Status.FAILED) or (
        report.status == PeriodicReport.Status.SENT
        and all(m.status in ("sent", "failed", "cancelled") for m in mails)
    )
    return {"mails": mails, "settled": settled}


def reports_due(
    *, today: datetime.date | None = None
) -> list[tuple[int, int, datetime.date, datetime.date]]:
    """Across tenants (the caller switches scoping off for this look-up only): (programme id,
    organisation id, start, end) of every report the beat should draft today and has not.
    Two queries, one per frequency, whatever the number of programmes."""
    due = []
    for frequency in (Frequency.MONTHLY, Frequency.QUARTERLY):
        period = due_period(frequency, today)
        if period is None:
            continue
        start, end = period
        rows = (
            ReportSchedule.objects.filter(
                frequency=frequency, programme__created_at__lt=_day_after(end)
            )
            .exclude(
                Exists(
                    PeriodicReport.objects.filter(
                        programme_id=OuterRef("programme_id"), period_start=start, period_end=end
                    )
                )
            )
            .values_list("programme_id", "organisation_id")
            .order_by("programme_id")
        )
        due += [
            (programme_id, organisation_id, start, end) for programme_id, organisation_id in rows
        ]
    return due


# The PDF -----------------------------------------------------------------------------------


def report_figures(*, report: PeriodicReport):
    """The dashboard's figures for the report's programme and period: per week for a month or
    shorter, per month for a longer period."""
    days = (report.period_end - report.period_start).days + 1
    return period_figures(
        programmes=[report.programme_id],
        start=report.period_start,
        end=report.period_end + datetime.timedelta(days=1),
        bucket=WEEK if days <= 31 else MONTH,
    )


def report_summary(figures) -> list[tuple[str, str]]:
    """The headline figures of a report as (label, value) for the PDF and the draft page."""
    handling = figures.handling_total
    on_time = ""
    if handling is not None and handling.closed:
        on_time = f"{round(100 * handling.on_time / handling.closed)}%"
    return [
        (_("Rounds walked"), str(sum(figures.rounds))),
        (_("Hours walked by members"), f"{sum(figures.walker_hours):.0f}"),
        (_("Active members"), str(figures.active_members)),
        (_("Signals reported"), str(sum(figures.signals))),
        (_("Signals handled"), str(handling.closed if handling else 0)),
        (_("Handled on time"), on_time or "–"),
        (_("Open now"), str(figures.open_now)),
        (_("Conversations"), str(sum(figures.conversations))),
    ]


def report_context(*, report: PeriodicReport) -> dict:
    """Everything the report's PDF shows, in the client's branding."""
    programme = report.programme
    client = programme.organisation
    figures = report_figures(report=report)
    charts = report_charts(figures)
    return {
        "report": report,
        "programme": programme,
        "client": client,
        "consultancy": client.consultancy,
        "logo_url": media_file_url(client.logo),
        "brand": client.brand_colour,
        "figures": figures,
        "summary": report_summary(figures),
        "charts": [chart.html(table="visible") for chart in charts],
        "highlights": chosen_highlights(report=report),
        "leaders": list(programme.project_leaders.all()),
        "made_at": timezone.now(),
    }


def report_charts(figures) -> list:
    """The report's charts (the dashboard's chart functions): signals reported per bucket by
    category and rounds walked per bucket (handling per category is a table of its own)."""
    labels = [bucket.label for bucket in figures.buckets]
    charts = [
        stacked_bar_chart(
            title=_("Signals reported, by category"),
            labels=labels,
            series=[(s.label, s.values) for s in figures.signals_by_category],
        ),
        bar_chart(title=_("Rounds walked"), labels=labels, values=figures.rounds, unit=_("Rounds")),
    ]
    return charts


def report_document_ref(report: PeriodicReport) -> str:
    """The `ref` of a report's PDF: the report's id, then its period ("12:2026-10-01:2026-10-31"),
    so a list of documents can name each one's period without a query per row."""
    return f"{report.pk}:{report.period_start.isoformat()}:{report.period_end.isoformat()}"


def report_id_of(document: Document) -> int:
    """The id of the report a PDF was made of (0 for a `ref` that names none)."""
    head = (document.ref or "").split(":", 1)[0]
    return int(head) if head.isdigit() else 0


def report_document_label(document: Document) -> str:
    """The document kind's `describe`: "Rapportage oktober 2026", "Rapportage 3e kwartaal
    2026", from the period in the document's `ref`; empty when it holds none."""
    parts = (document.ref or "").split(":")
    if len(parts) != 3:
        return ""
    try:
        start, end = (datetime.date.fromisoformat(part) for part in parts[1:])
    except ValueError:
        return ""
    return _("Report %(period)s") % {"period": period_label(start, end)}


def report_pdf(document: Document) -> tuple[str, dict, str]:
    """The document kind's builder: the report named by the document's `ref`, in Dutch (the
    client's language)."""
    report = PeriodicReport.objects.select_related("programme", "organisation").get(
        pk=report_id_of(document)
    )
    return "pdf/periodic_report.html", report_context(report=report), "nl"


def sent_report_documents() -> Q:
    """Which report PDFs the client's documents page lists: those of sent reports only."""
    return Q(
        pk__in=PeriodicReport.objects.filter(
            status=PeriodicReport.Status.SENT, document__isnull=False
        ).values("document_id")
    )
