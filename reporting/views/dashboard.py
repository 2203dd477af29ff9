"""The client's dashboards: across the client's programmes and per programme (in the portal,
and as a programme tab of the workspace for the project leader). Thin: a form reads the
period, the selector computes the figures, `reporting.charts` draws them."""

import datetime as dt

from django import forms
from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView

from programmes.input import DATE_MAX, DATE_MIN
from programmes.mixins import ClientMixin, PermissionMixin, ProgrammeMixin
from programmes.permissions import Perm
from recruitment.selectors import survey_comparisons_for

from .. import charts
from ..selectors.dashboard import dashboard_figures_for
from ..selectors.figures import BUCKETS, MAX_DAYS, MONTH, PERIODS, period_bounds

PERIOD_CHOICES = [
    ("this_month", gettext_lazy("This month")),
    ("last_month", gettext_lazy("Last month")),
    ("this_quarter", gettext_lazy("This quarter")),
    ("last_12_months", gettext_lazy("Last 12 months")),
    ("custom", gettext_lazy("From – to")),
]
BUCKET_CHOICES = [("week", gettext_lazy("Per week")), ("month", gettext_lazy("Per month"))]
assert [c for c, _label in PERIOD_CHOICES] == list(PERIODS)
assert {c for c, _label in BUCKET_CHOICES} == set(BUCKETS)


class PeriodForm(forms.Form):
    """The period chooser, from the query string. Anything wrong is said in words and the
    page shows this month instead: never an error page."""

    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        choices=PERIOD_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": gettext_lazy("There is no such period.")},
    )
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter the start as a date, like 2027-01-31.")},
    )
    end = forms.DateField(
        label=gettext_lazy("To and including"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter the end as a date, like 2027-01-31.")},
    )
    bucket = forms.ChoiceField(
        label=gettext_lazy("Per"),
        choices=BUCKET_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": gettext_lazy("Choose per week or per month.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("period") != "custom":
            return data
        start, end = data.get("start"), data.get("end")
        if "start" in self.errors or "end" in self.errors:
            return data
        if start is None or end is None:
            raise forms.ValidationError(_("Choose both a start and an end date."))
        for day in (start, end):
            if not DATE_MIN <= day <= DATE_MAX:
                raise forms.ValidationError(
                    _("Choose dates between %(min)s and %(max)s.")
                    % {"min": DATE_MIN.year, "max": DATE_MAX.year}
                )
        if end < start:
            raise forms.ValidationError(_("The end date lies before the start date."))
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(
                _("Choose a period of at most %(n)s days.") % {"n": MAX_DAYS}
            )
        return data

    def chosen(self, *, today: dt.date) -> tuple[str, dt.date, dt.date, str]:
        """(period, start, end exclusive, bucket): what was asked when valid, else this month
        per month (a bad part is dropped, the rest kept)."""
        valid = self.is_valid()
        data = self.cleaned_data if valid else {}
        bucket = (self.cleaned_data.get("bucket") if hasattr(self, "cleaned_data") else "") or ""
        if bucket not in BUCKETS:
            bucket = MONTH
        period = data.get("period") or "this_month"
        if period == "custom":
            return period, data["start"], data["end"] + dt.timedelta(days=1), bucket
        start, end = period_bounds(period, today=today)
        return period, start, end, bucket

    def problems(self) -> list[str]:
        if not self.is_bound or self.is_valid():
            return []
        return [str(m) for errors in self.errors.values() for m in errors]


def _percent(share) -> str:
    return "–" if share is None else f"{number_format(share * 100, decimal_pos=0)}%"


def _days(value) -> str:
    if value is None:
        return "–"
    return ngettext("%(n)s day", "%(n)s days", 1 if value == 1 else 2) % {
        "n": number_format(value, decimal_pos=0 if value == int(value) else 1)
    }


def _charts(f) -> dict:
    """The page's charts from the figures (the periodic report draws its own from the same
    figures and functions)."""
    labels = [b.label for b in f.buckets]
    handled = [
        (
            h.label,
            None if h.on_time_share is None else round(h.on_time_share * 100),
            _("%(ok)s of %(n)s on time · median %(median)s · target %(target)s")
            % {
                "ok": h.on_time,
                "n": h.closed,
                "median": _days(h.median_days),
                "target": _days(h.target_days),
            },
        )
        for h in f.handling
    ]
    return {
        "rounds": charts.bar_chart(title=_("Rounds walked"), labels=labels, values=f.rounds),
        "hours": charts.bar_chart(
            title=_("Hours walked (per walker)"),
            labels=labels,
            values=f.walker_hours,
            unit=_("Hours"),
            decimals=1,
        ),
        "members": charts.bar_chart(
            title=_("Active members"), labels=labels, values=f.active_members_per_bucket
        ),
        "signals_status": charts.stacked_bar_chart(
            title=_("Signals reported, by status now"),
            labels=labels,
            series=[(s.label, s.values) for s in f.signals_by_status],
        ),
        "signals_category": charts.horizontal_bar_chart(
            title=_("Signals reported, by category"),
            rows=[(s.label, s.total) for s in f.signals_by_category],
        ),
        "handling": charts.horizontal_bar_chart(
            title=_("Closed on time, by category"),
            rows=handled,
            unit="%",
            max_value=100,
        ),
        "conversations": charts.stacked_bar_chart(
            title=_("Conversations with residents"),
            labels=labels,
            series=[
                (
                    _("Without aggression"),
                    [c - a for c, a in zip(f.conversations, f.aggression, strict=True)],
                ),
                (_("With aggression"), f.aggression),
            ],
        ),
        "effort": charts.horizontal_bar_chart(
            title=_("Members meeting the effort obligation"),
            rows=[
                (
                    e.label,
                    None if e.share is None else round(e.share * 100),
                    _("%(met)s of %(n)s") % {"met": e.met, "n": e.members},
                )
                for e in f.effort
            ],
            unit="%",
            max_value=100,
        ),
    }


def _map_months(figures, end):
    """(first month, last month) the map counts, when they reach beyond the period (a custom
    period that does not start on the first or ends before the month is over)."""
    first, after = figures.hotspot_months or (figures.start, end)
    if first == figures.start and (after == end or end > timezone.localdate()):
        return None
    return first, after - dt.timedelta(days=1)


def _optional_include(name: str) -> str | None:
    """A template another area delivers, when it exists."""
    try:
        select_template([name])
    except TemplateDoesNotExist:
        return None
    return name


class _DashboardMixin:
    """The dashboard page for the programmes of `dashboard_programme()` (None: all of the
    client's that the user reads)."""

    template_name = "reporting/dashboard.html"

    def dashboard_programme(self):
        return None

    def get_context_data(self, **kwargs):
        client = self.get_client()
        programme = self.dashboard_programme()
        today = timezone.localdate()
        form = PeriodForm(self.request.GET or None)
        period, start, end, bucket = form.chosen(today=today)
        problems = form.problems()
        figures = dashboard_figures_for(
            user=self.request.user,
            client=client,
            programme=programme,
            start=start,
            end=end,
            bucket=bucket,
        )
        # The chooser shows the period shown (its dates filled in), whatever was asked.
        form = PeriodForm(
            initial={
                "period": period,
                "bucket": bucket,
                "start": start,
                "end": end - dt.timedelta(days=1),
            }
        )
        lag = figures.as_of is None or timezone.now() - figures.as_of > dt.timedelta(minutes=15)
        # The page's own names win over the mixins' (the client and programme are the same).
        return super().get_context_data(**kwargs) | dict(
            client=client,
            programme=programme,
            form=form,
            problems=problems,
            period_label=_("%(start)s to and including %(end)s")
            % {
                "start": date_format(start, "j F Y"),
                "end": date_format(end - dt.timedelta(days=1), "j F Y"),
            },
            figures=figures,
            period_last=end - dt.timedelta(days=1),
            # Said under the map only when its whole months are more than the period.
            map_months=_map_months(figures, end),
            totals=figures.totals,
            charts=_charts(figures),
            handling_total_share=_percent(figures.handling_total.on_time_share),
            handling_total_median=_days(figures.handling_total.median_days),
            handling_rows=[
                {
                    "label": h.label,
                    "closed": h.closed,
                    "on_time": _percent(h.on_time_share),
                    "median": _days(h.median_days),
                    "target": _days(h.target_days),
                }
                for h in figures.handling
            ],
            as_of=figures.as_of,
            as_of_lags=lag,
            map_config={
                "spots": [[s.latitude, s.longitude, s.signals] for s in figures.hotspots],
                "tiles": settings.MAP_TILE_URL,
                "attribution": settings.MAP_TILE_ATTRIBUTION,
            },
            export_links=_optional_include("reporting/includes/export_links.html"),
            survey_comparisons=self.survey_comparisons(programme),
        )

    def survey_comparisons(self, programme):
        """A programme's neighbourhood survey before and after (recruitment's comparison)."""
        if programme is None:
            return None
        return {"comparisons": survey_comparisons_for(programme=programme)}


class ClientDashboardView(_DashboardMixin, ClientMixin, PermissionMixin, TemplateView):
    """Figures across the client's programmes (those the user reads)."""

    permission = Perm.PORTAL_VIEW


class ProgrammeDashboardView(_DashboardMixin, ProgrammeMixin, TemplateView):
    """Figures of one programme, in the client portal."""

    permission = Perm.PORTAL_VIEW

    def dashboard_programme(self):
        return self.get_programme()


class WorkspaceDashboardView(ProgrammeDashboardView):
    """The same figures as a programme tab of the workspace (the project leader, the
    consultancy)."""

    permission = Perm.PROGRAMME_VIEW
    workspace = True
