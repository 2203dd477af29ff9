"""The programme's periodic reports (a programme tab): the list with the schedule and "a report
for any period", one report's draft (figures, commentary, highlights, preview, approve) and
its progress while the PDF is made and the mails go out. For the project leader and the
consultancy; the client sees a report once it is sent, on its documents page."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from programmes.input import validate_date_range
from programmes.mixins import ProgrammeMixin
from programmes.pagination import paginate
from programmes.pdf import render_pdf
from programmes.permissions import Perm
from programmes.views.common import form_errors_to, poll_backoff

from ..models.reports import COMMENTARY_MAX, HIGHLIGHTS_MAX, Frequency, PeriodicReport
from ..selectors import reports as selectors
from ..services import reports as services


class ScheduleForm(forms.Form):
    frequency = forms.ChoiceField(label=gettext_lazy("Periodic report"), choices=Frequency.choices)


class PeriodForm(forms.Form):
    period_start = forms.DateField(
        label=gettext_lazy("From"),
        validators=[validate_date_range],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    period_end = forms.DateField(
        label=gettext_lazy("To (included)"),
        validators=[validate_date_range],
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class DraftForm(forms.Form):
    commentary = forms.CharField(
        label=gettext_lazy("Your commentary"),
        required=False,
        max_length=COMMENTARY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "What went well, what needs attention; the client reads this first."
        ),
    )
    highlights = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Highlights"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["highlights"].choices = [(s.pk, str(s)) for s in candidates]

    def clean_highlights(self):
        chosen = self.cleaned_data["highlights"]
        if len(chosen) > HIGHLIGHTS_MAX:
            raise ValidationError(_("Choose at most %(max)s highlights.") % {"max": HIGHLIGHTS_MAX})
        return chosen


class ReportsView(ProgrammeMixin, TemplateView):
    """The programme's reports, newest first, with how often they are drafted and a form for
    a report over any period."""

    template_name = "reporting/reports.html"
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    def get_context_data(self, schedule_form=None, period_form=None, **kwargs):
        programme = self.get_programme()
        return super().get_context_data(
            page=paginate(self.request, selectors.reports_of_programme(programme=programme)),
            schedule_form=schedule_form
            or ScheduleForm(initial={"frequency": selectors.schedule_of(programme=programme)}),
            period_form=period_form or PeriodForm(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        if "frequency" in request.POST:
            form = ScheduleForm(request.POST)
            if form.is_valid():
                services.report_schedule_set(
                    actor=request.user,
                    programme=programme,
                    frequency=form.cleaned_data["frequency"],
                )
                messages.success(request, _("The periodic report's schedule was saved."))
                return redirect(request.path)
            return self.render_to_response(self.get_context_data(schedule_form=form))
        form = PeriodForm(request.POST)
        if form.is_valid():
            try:
                report, created = services.report_request(
                    actor=request.user, programme=programme, **form.cleaned_data
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                if not created:
                    messages.info(request, _("A report for this period exists already."))
                return self.redirect_to("reporting:report_detail", report_pk=report.pk)
        return self.render_to_response(self.get_context_data(period_form=form))


class _ReportMixin(ProgrammeMixin):
    permission = Perm.PROGRAMME_MANAGE

    def get_report(self) -> PeriodicReport:
        if not hasattr(self, "_report"):
            self._report = selectors.get_report_for(
                programme=self.get_programme(), pk=self.kwargs["report_pk"]
            )
        return self._report


class ReportDetailView(_ReportMixin, TemplateView):
    """One report: its figures and, while a draft, the commentary and highlights to fill in,
    the preview and the approval; afterwards how the sending goes."""

    template_name = "reporting/report_detail.html"
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    def get_context_data(self, form=None, **kwargs):
        report = self.get_report()
        candidates = selectors.highlight_candidates(report=report) if report.is_draft else []
        figures = selectors.report_figures(report=report)
        return super().get_context_data(
            report=report,
            form=form
            or DraftForm(
                candidates=candidates,
                initial={"commentary": report.commentary, "highlights": report.highlights},
            ),
            summary=selectors.report_summary(figures),
            charts=[chart.html() for chart in selectors.report_charts(figures)],
            figures=figures,
            highlights=selectors.chosen_highlights(report=report),
            recipients=selectors.report_recipients(programme=report.programme),
            has_candidates=bool(candidates),
            highlights_max=HIGHLIGHTS_MAX,
            **selectors.report_progress(report=report),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        report = self.get_report()
        candidates = selectors.highlight_candidates(report=report) if report.is_draft else []
        form = DraftForm(request.POST, candidates=candidates)
        if form.is_valid():
            try:
                services.report_update(actor=request.user, report=report, **form.cleaned_data)
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(request, _("The draft was saved."))
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))


class ReportApproveView(_ReportMixin, View):
    """Approve a draft (after ticking the confirmation): the PDF is made and mailed."""

    http_method_names = ["post"]
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    def post(self, request, *args, **kwargs):
        report = self.get_report()
        if request.POST.get("confirm") != "1":
            messages.error(request, _("Tick the box to confirm the report may be sent."))
        else:
            try:
                services.report_approve(actor=request.user, report=report)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request, _("Approved: the PDF is being made and then mailed to the client.")
                )
        return self.redirect_to("reporting:report_detail", report_pk=report.pk)


class ReportRetryView(_ReportMixin, View):
    """Try a failed report again."""

    http_method_names = ["post"]
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    def post(self, request, *args, **kwargs):
        report = self.get_report()
        try:
            services.report_retry(actor=request.user, report=report)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return self.redirect_to("reporting:report_detail", report_pk=report.pk)


class ReportPreviewView(_ReportMixin, View):
    """The draft as the client would get it: the PDF made now, shown in the browser, stored
    nowhere (so nothing of a draft reaches the client's documents)."""

    def get(self, request, *args, **kwargs):
        report = self.get_report()
        pdf = render_pdf(
            template="pdf/periodic_report.html",
            context={**selectors.report_context(report=report), "preview": True},
            language="nl",
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"concept-rapportage-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response


class ReportProgressView(_ReportMixin, View):
    """The fragment htmx polls after approval: the PDF being made, then each contact's mail;
    it stops asking once the report is sent and every mail has left or failed, or the report
    failed."""

    def get(self, request, *args, **kwargs):
        report = self.get_report()
        return render(
            request,
            "reporting/report_progress.html",
            {
                "report": report,
                "programme": self.get_programme(),
                **selectors.report_progress(report=report),
                **poll_backoff(request),
            },
        )
