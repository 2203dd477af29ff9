"""URLs of the base app. Canonical kwarg names: `org` (an organisation's slug),
`invitation_pk`, `user_pk`, `token`; the tenant-isolation test relies on them."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.RootView.as_view(), name="root"),
    path("home/", views.HomeView.as_view(), name="home"),
    path("health/", views.HealthView.as_view(), name="health"),
    path("language/", views.LanguageSwitchView.as_view(), name="language_switch"),
    path("workspace/", views.WorkspaceView.as_view(), name="workspace"),
    path("workspace/clients/", views.ClientListView.as_view(), name="client_list"),
    path("workspace/clients/new/", views.ClientCreateView.as_view(), name="client_create"),
    path("workspace/clients/<slug:org>/", views.ClientDetailView.as_view(), name="client_detail"),
    path(
        "workspace/clients/<slug:org>/edit/",
        views.ClientUpdateView.as_view(),
        name="client_update",
    ),
    path("workspace/users/", views.UserListView.as_view(), name="user_list"),
    path("workspace/users/invite/", views.InvitationCreateView.as_view(), name="invitation_create"),
    path("workspace/users/<int:user_pk>/block/", views.UserBlockView.as_view(), name="user_block"),
    path(
        "workspace/invitations/<int:invitation_pk>/resend/",
        views.InvitationResendView.as_view(),
        name="invitation_resend",
    ),
    path(
        "workspace/invitations/<int:invitation_pk>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path("workspace/audit/", views.AuditLogView.as_view(), name="audit_log"),
    path("portal/<slug:org>/", views.PortalHomeView.as_view(), name="portal_home"),
    path("team/<slug:org>/", views.TeamHomeView.as_view(), name="team_home"),
    path(
        "invitation/<slug:org>/<str:token>/",
        views.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
    path("branding/<slug:org>/logo/", views.OrganisationLogoView.as_view(), name="org_logo"),
]
