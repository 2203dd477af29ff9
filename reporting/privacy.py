"""Reporting's personal data: export files (effort per member) and a periodic report's
commentary; registered with the base's register (`programmes.privacy`) from
`ReportingConfig.ready()`. Export files go after a week (`export_jobs_sweep`)."""

from django.utils.translation import gettext_lazy as _

from programmes import privacy as p

NOT_PERSONAL = {
    "reporting.ExportJob": (
        "dataset",
        "file_format",
        "filters",
        "request_key",
        "status",
        "download_name",
        "error",
    ),
    "reporting.ReportSchedule": ("frequency",),
    "reporting.PeriodicReport": ("status", "error"),
    "reporting.SignalDaySummary": ("grain", "status"),
    "reporting.SignalClosedSummary": ("grain",),
    "reporting.SummaryState": ("key",),
}


def register() -> None:
    p.register_personal(
        p.PersonalData(
            "reporting.ExportJob",
            p.MEMBER,
            ("file",),
            _("An export asked for (effort per member)"),
            p.LEGITIMATE_INTEREST,
            _("Deleted after a week"),
            _("The person who asked for it"),
            label=_("Export"),
            fields_label=_("the file"),
        ),
        p.PersonalData(
            "reporting.PeriodicReport",
            p.MEMBER,
            ("commentary", "highlights"),
            _("The project leader's commentary in a report"),
            p.CONTRACT,
            _("During the programme"),
            _("Project leader, consultancy and the client's staff"),
        ),
    )
    p.register_not_personal(NOT_PERSONAL)
