"""URLs of recruitment. Canonical kwargs: `org`, `programme_pk`."""

from django.urls import path

from . import views

urlpatterns = [
    path("apply/<slug:org>/<int:programme_pk>/", views.ApplyView.as_view(), name="apply"),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/selection/",
        views.SelectionView.as_view(),
        name="programme_selection",
    ),
    path(
        "portal/<slug:org>/programmes/<int:programme_pk>/candidates/",
        views.CandidatesView.as_view(),
        name="portal_candidates",
    ),
]
