"""URLs of the trainings app. Canonical kwargs: `org`, `programme_pk`, `code`."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/trainings/",
        views.TrainingsView.as_view(),
        name="programme_trainings",
    ),
    path("team/<slug:org>/track/", views.MemberTrackView.as_view(), name="team_track"),
    path("verify/<slug:org>/", views.VerifyView.as_view(), name="certificate_verify_form"),
    path("verify/<slug:org>/<str:code>/", views.VerifyView.as_view(), name="certificate_verify"),
]
