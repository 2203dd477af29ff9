"""The client's dashboards: per programme and across the client's programmes."""

from django.urls import path

from ..views import dashboard

urlpatterns = [
    path("portal/<slug:org>/dashboard/", dashboard.ClientDashboardView.as_view(), name="dashboard"),
    path(
        "portal/<slug:org>/programmes/<int:programme_pk>/dashboard/",
        dashboard.ProgrammeDashboardView.as_view(),
        name="programme_dashboard",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/dashboard/",
        dashboard.WorkspaceDashboardView.as_view(),
        name="workspace_dashboard",
    ),
]
