"""URLs of recruitment. Canonical kwargs: `org`, `programme_pk`."""

from django.urls import path

from . import campaign_views, own_data_views, survey_views, views

app_name = "recruitment"

urlpatterns = [
    path("apply/<slug:org>/<int:programme_pk>/", views.ApplyView.as_view(), name="apply"),
    path(
        "my-application/<slug:org>/<str:token>/",
        own_data_views.OwnDataView.as_view(),
        name="own_data",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/selection/",
        views.SelectionView.as_view(),
        name="programme_selection",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/selection/entry/",
        views.ApplicationEntryView.as_view(),
        name="application_entry",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/selection/settings/",
        views.CampaignSettingsView.as_view(),
        name="campaign_settings",
    ),
    path(
        "portal/<slug:org>/programmes/<int:programme_pk>/candidates/",
        views.CandidatesView.as_view(),
        name="portal_candidates",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/surveys/",
        survey_views.SurveyListView.as_view(),
        name="survey_list",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/surveys/<int:survey_pk>/",
        survey_views.SurveyEditView.as_view(),
        name="survey_edit",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/surveys/<int:survey_pk>/results/",
        survey_views.SurveyResultsView.as_view(),
        name="survey_results",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/surveys/<int:survey_pk>/entry/",
        survey_views.SurveyEntryView.as_view(),
        name="survey_entry",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/surveys/<int:survey_pk>/export.csv",
        survey_views.SurveyCsvView.as_view(),
        name="survey_csv",
    ),
    path(
        "survey/<slug:org>/<str:public_id>/",
        survey_views.SurveyAnswerView.as_view(),
        name="survey_answer",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/campaign/",
        campaign_views.CampaignView.as_view(),
        name="programme_campaign",
    ),
]
