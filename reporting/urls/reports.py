"""The periodic report: drafted by beat, approved by the project leader, mailed to the client.
URL kwargs: `org`, `programme_pk`, `report_pk`."""

from django.urls import path

from ..views import reports as views

PREFIX = "workspace/clients/<slug:org>/programmes/<int:programme_pk>/reports/"

urlpatterns = [
    path(PREFIX, views.ReportsView.as_view(), name="programme_reports"),
    path(f"{PREFIX}<int:report_pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path(
        f"{PREFIX}<int:report_pk>/approve/",
        views.ReportApproveView.as_view(),
        name="report_approve",
    ),
    path(f"{PREFIX}<int:report_pk>/retry/", views.ReportRetryView.as_view(), name="report_retry"),
    path(
        f"{PREFIX}<int:report_pk>/preview/",
        views.ReportPreviewView.as_view(),
        name="report_preview",
    ),
    path(
        f"{PREFIX}<int:report_pk>/progress/",
        views.ReportProgressView.as_view(),
        name="report_progress",
    ),
]
