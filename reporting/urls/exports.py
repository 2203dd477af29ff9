"""Exports (CSV and XLSX) of signals, rounds, conversations and effort: streamed when small,
made in the background when large (the job's page, its polled status, its file, try again)."""

from django.urls import path

from ..views import exports

urlpatterns = [
    # `dataset` is signals, rounds, conversations or effort; `fmt` csv or xlsx (else 404).
    path(
        "portal/<slug:org>/exports/<slug:dataset>.<slug:fmt>",
        exports.ExportView.as_view(),
        name="export",
    ),
    path(
        "portal/<slug:org>/exports/jobs/<int:job_pk>/",
        exports.ExportJobView.as_view(),
        name="export_job",
    ),
    path(
        "portal/<slug:org>/exports/jobs/<int:job_pk>/status/",
        exports.ExportJobStatusView.as_view(),
        name="export_job_status",
    ),
    path(
        "portal/<slug:org>/exports/jobs/<int:job_pk>/download/",
        exports.ExportJobDownloadView.as_view(),
        name="export_job_download",
    ),
    path(
        "portal/<slug:org>/exports/jobs/<int:job_pk>/retry/",
        exports.ExportJobRetryView.as_view(),
        name="export_job_retry",
    ),
]
