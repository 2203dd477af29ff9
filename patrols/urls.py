"""URLs of the phone app and the client's follow-up. Canonical kwargs: `org`, `slot_pk`,
`round_uuid`, `signal_uuid`, `photo_uuid`, `signal_pk`, `photo_pk`, `channel_pk`, `route_pk`,
`handoff_pk`, `department_pk`."""

from django.urls import path

from . import (
    activity_views,
    api,
    board_views,
    own,
    photo_views,
    portal,
    sharing_views,
    views,
    workspace,
)
from .handoff import views as handoff
from .handoff.health import HandoffHealthView

app_name = "patrols"

urlpatterns = [
    path("team/sw.js", views.ServiceWorkerView.as_view(), name="team_sw"),
    path("team/<slug:org>/", views.TeamHomeView.as_view(), name="team_home"),
    path("team/<slug:org>/round/", views.RoundScreenView.as_view(), name="team_round"),
    path(
        "team/<slug:org>/documents/<int:document_pk>/",
        own.OwnDocumentView.as_view(),
        name="team_document",
    ),
    path(
        "team/<slug:org>/documents/<int:document_pk>/retry/",
        own.OwnDocumentRetryView.as_view(),
        name="team_document_retry",
    ),
    path("team/<slug:org>/signals/", own.MySignalsView.as_view(), name="team_signals"),
    path(
        "team/<slug:org>/activities/",
        activity_views.ActivitiesView.as_view(),
        name="team_activities",
    ),
    path("team/<slug:org>/board/", board_views.TeamBoardView.as_view(), name="team_board"),
    path(
        "team/<slug:org>/sharing/", sharing_views.ContactSharingView.as_view(), name="team_sharing"
    ),
    path("team/<slug:org>/membership/", own.MembershipView.as_view(), name="team_membership"),
    path(
        "team/<slug:org>/signals/<int:signal_pk>/",
        own.MySignalView.as_view(),
        name="team_signal",
    ),
    path(
        "team/<slug:org>/signals/<int:signal_pk>/photos/<int:photo_pk>/",
        own.MySignalPhotoView.as_view(),
        name="team_signal_photo",
    ),
    path(
        "team/<slug:org>/manifest.webmanifest",
        views.ManifestView.as_view(),
        name="team_manifest",
    ),
    path(
        "team/<slug:org>/rounds/<int:slot_pk>/signup/",
        views.SignupView.as_view(),
        name="round_signup",
    ),
    path(
        "team/<slug:org>/rounds/<int:slot_pk>/signoff/",
        views.SignoffView.as_view(),
        name="round_signoff",
    ),
    path("team/<slug:org>/choose/", views.TeamChooseView.as_view(), name="team_choose"),
    path("team/<slug:org>/api/rounds/", api.RoundStartApi.as_view(), name="api_round_start"),
    path(
        "team/<slug:org>/api/rounds/<str:round_uuid>/end/",
        api.RoundEndApi.as_view(),
        name="api_round_end",
    ),
    path("team/<slug:org>/api/signals/", api.SignalApi.as_view(), name="api_signal"),
    path(
        "team/<slug:org>/api/open-signals/", api.OpenSignalsApi.as_view(), name="api_open_signals"
    ),
    path(
        "team/<slug:org>/api/confirmations/",
        api.ConfirmationApi.as_view(),
        name="api_confirmation",
    ),
    path(
        "team/<slug:org>/api/signals/<str:signal_uuid>/photos/",
        api.SignalPhotoApi.as_view(),
        name="api_signal_photo",
    ),
    path(
        "team/<slug:org>/api/signals/<str:signal_uuid>/photos/<str:photo_uuid>/",
        api.SignalPhotoBodyApi.as_view(),
        name="api_signal_photo_body",
    ),
    path(
        "team/<slug:org>/api/conversations/",
        api.ConversationApi.as_view(),
        name="api_conversation",
    ),
    path("portal/<slug:org>/signals/", portal.SignalListView.as_view(), name="portal_signals"),
    path(
        "portal/<slug:org>/signals/map.json",
        portal.SignalMapDataView.as_view(),
        name="portal_signal_map",
    ),
    path(
        "portal/<slug:org>/signals/<int:signal_pk>/",
        portal.SignalDetailView.as_view(),
        name="portal_signal",
    ),
    path(
        "portal/<slug:org>/signals/<int:signal_pk>/handoffs/<int:handoff_pk>/retry/",
        handoff.HandoffRetryView.as_view(),
        name="portal_handoff_retry",
    ),
    path(
        "portal/<slug:org>/signals/<int:signal_pk>/photos/<int:photo_pk>/",
        portal.SignalPhotoView.as_view(),
        name="portal_signal_photo",
    ),
    path(
        "portal/<slug:org>/signals/<int:signal_pk>/photos/<int:photo_pk>/review/",
        photo_views.PortalPhotoReviewView.as_view(),
        name="portal_signal_photo_review",
    ),
    path(
        "portal/<slug:org>/handoff/", handoff.HandoffSettingsView.as_view(), name="portal_handoff"
    ),
    path(
        "portal/<slug:org>/handoff/channels/<int:channel_pk>/active/",
        handoff.HandoffChannelActiveView.as_view(),
        name="portal_handoff_channel_active",
    ),
    path(
        "portal/<slug:org>/handoff/channels/<int:channel_pk>/statuses/",
        handoff.HandoffChannelMapView.as_view(),
        name="portal_handoff_channel_map",
    ),
    path(
        "portal/<slug:org>/handoff/channels/<int:channel_pk>/services/",
        handoff.HandoffServicesFetchView.as_view(),
        name="portal_handoff_services_fetch",
    ),
    path(
        "portal/<slug:org>/handoff/channels/<int:channel_pk>/services/map/",
        handoff.HandoffServicesMapView.as_view(),
        name="portal_handoff_services_map",
    ),
    path(
        "portal/<slug:org>/handoff/routes/",
        handoff.HandoffRouteCreateView.as_view(),
        name="portal_handoff_route_create",
    ),
    path(
        "portal/<slug:org>/handoff/departments/",
        handoff.HandoffDepartmentCreateView.as_view(),
        name="portal_handoff_department_create",
    ),
    path(
        "portal/<slug:org>/handoff/departments/<int:department_pk>/delete/",
        handoff.HandoffDepartmentDeleteView.as_view(),
        name="portal_handoff_department_delete",
    ),
    path(
        "portal/<slug:org>/handoff/routes/<int:route_pk>/delete/",
        handoff.HandoffRouteDeleteView.as_view(),
        name="portal_handoff_route_delete",
    ),
    # The client's own system posts status updates here (signed; no session).
    path(
        "api/handoff/<slug:org>/<int:channel_pk>/status/",
        handoff.HandoffInboundApi.as_view(),
        name="handoff_inbound",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/rounds/",
        workspace.RoundsView.as_view(),
        name="programme_rounds",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/categories/",
        workspace.CategoriesView.as_view(),
        name="programme_categories",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/effort/",
        workspace.EffortView.as_view(),
        name="programme_effort",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/handoff/",
        HandoffHealthView.as_view(),
        name="programme_handoff",
    ),
    path(
        "portal/<slug:org>/programmes/<int:programme_pk>/effort/",
        workspace.PortalEffortView.as_view(),
        name="portal_effort",
    ),
]
