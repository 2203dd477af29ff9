"""URLs of the guidance over the years (evaluations, the action plan, closing a programme),
added to the base's URLs (`programmes.urls`). Canonical kwargs: `org`, `programme_pk`,
`evaluation_pk`, `action_pk`."""

from django.urls import path

from .views import guidance

WORKSPACE = "workspace/clients/<slug:org>/programmes/<int:programme_pk>/"
PORTAL = "portal/<slug:org>/programmes/<int:programme_pk>/"

urlpatterns = [
    path(
        f"{WORKSPACE}evaluations/",
        guidance.EvaluationListView.as_view(),
        name="programme_evaluations",
    ),
    path(
        f"{WORKSPACE}evaluations/schedule/",
        guidance.EvaluationScheduleView.as_view(),
        name="evaluation_schedule",
    ),
    path(
        f"{WORKSPACE}evaluations/<int:evaluation_pk>/",
        guidance.EvaluationDetailView.as_view(),
        name="programme_evaluation",
    ),
    path(
        f"{WORKSPACE}evaluations/<int:evaluation_pk>/status/",
        guidance.EvaluationTransitionView.as_view(),
        name="evaluation_transition",
    ),
    path(f"{WORKSPACE}actions/", guidance.ActionListView.as_view(), name="programme_actions"),
    path(
        f"{WORKSPACE}actions/<int:action_pk>/",
        guidance.ActionUpdateView.as_view(),
        name="action_update",
    ),
    path(f"{WORKSPACE}close/", guidance.ProgrammeCloseView.as_view(), name="programme_close"),
    path(
        f"{PORTAL}evaluations/",
        guidance.PortalEvaluationListView.as_view(),
        name="portal_evaluations",
    ),
    path(
        f"{PORTAL}evaluations/<int:evaluation_pk>/",
        guidance.PortalEvaluationView.as_view(),
        name="portal_evaluation",
    ),
    path(f"{PORTAL}actions/", guidance.PortalActionListView.as_view(), name="portal_actions"),
]
