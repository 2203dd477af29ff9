"""URLs of the trainings app. Canonical kwargs: `org`, `programme_pk`, `code`."""

from django.urls import path

from . import views

TRACK = "workspace/clients/<slug:org>/programmes/<int:programme_pk>/trainings/"

app_name = "trainings"

urlpatterns = [
    path(TRACK, views.TrainingsView.as_view(), name="programme_trainings"),
    # One address per thing done on the track page (each posts, then returns to the page).
    path(f"{TRACK}track/", views.TrackCreateView.as_view(), name="track_create"),
    path(f"{TRACK}cohort/", views.CohortCreateView.as_view(), name="cohort_create"),
    path(f"{TRACK}invite/", views.TeamInviteView.as_view(), name="team_invite"),
    path(f"{TRACK}assess/", views.AssessView.as_view(), name="assess"),
    path(f"{TRACK}rules/", views.RulesSaveView.as_view(), name="rules_save"),
    path(f"{TRACK}ready/", views.ReadyView.as_view(), name="ready"),
    path(f"{TRACK}gear/", views.GearHandOutView.as_view(), name="gear_hand_out"),
    path(f"{TRACK}streets/", views.StreetsSaveView.as_view(), name="streets_save"),
    path(
        f"{TRACK}introduction/",
        views.IntroductionSaveView.as_view(),
        name="introduction_save",
    ),
    path(
        f"{TRACK}certificates/",
        views.CertificatesIssueView.as_view(),
        name="certificates_issue",
    ),
    path(f"{TRACK}revoke/", views.CertificateRevokeView.as_view(), name="revoke"),
    path(
        f"{TRACK}revoke/undo/",
        views.CertificateRevokeUndoView.as_view(),
        name="revoke_undo",
    ),
    path("team/<slug:org>/track/", views.MemberTrackView.as_view(), name="team_track"),
    # The member's own actions on that page, one address each.
    path(
        "team/<slug:org>/track/rules/",
        views.MemberRulesAcceptView.as_view(),
        name="team_track_accept",
    ),
    path("team/<slug:org>/track/sizes/", views.MemberSizesView.as_view(), name="team_track_sizes"),
    path(
        "team/<slug:org>/track/street/",
        views.MemberStreetView.as_view(),
        name="team_track_street",
    ),
    path("verify/<slug:org>/", views.VerifyView.as_view(), name="certificate_verify_form"),
    path("verify/<slug:org>/<str:code>/", views.VerifyView.as_view(), name="certificate_verify"),
]
