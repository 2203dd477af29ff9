"""URLs of the base app. Canonical kwarg names: `org` (an organisation's slug),
`programme_pk`, `milestone_pk`, `meeting_pk`, `invitee_pk`, `message_pk`, `document_pk`,
`invitation_pk`, `user_pk`, `token`; the tenant-isolation test relies on them."""

from django.urls import path

from .views import accounts as views
from .views import documents, mail, meeting_reply, portal
from .views import programmes as pv

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
    path("workspace/mail/", mail.MailOutboxView.as_view(), name="mail_outbox"),
    path("workspace/mail/<int:message_pk>/retry/", mail.MailRetryView.as_view(), name="mail_retry"),
    path("portal/<slug:org>/", views.PortalHomeView.as_view(), name="portal_home"),
    path(
        "invitation/<slug:org>/<str:token>/",
        views.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
    path(
        "invitation/<slug:org>/",
        views.InvitationAcceptView.as_view(),
        name="invitation_continue",
    ),
    path("branding/<slug:org>/logo/", views.OrganisationLogoView.as_view(), name="org_logo"),
    path("workspace/plan-template/", pv.PlanTemplateView.as_view(), name="plan_template"),
    path("workspace/programmes/new/", pv.ProgrammeClientChooseView.as_view(), name="programme_new"),
    path(
        "workspace/clients/<slug:org>/programmes/new/",
        pv.ProgrammeCreateView.as_view(),
        name="programme_create",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/",
        pv.ProgrammeDetailView.as_view(),
        name="programme_detail",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/edit/",
        pv.ProgrammeUpdateView.as_view(),
        name="programme_update",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/intake/",
        pv.ProgrammeIntakeView.as_view(),
        name="programme_intake",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/plan/",
        pv.PlanView.as_view(),
        name="programme_plan",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/plan/generate/",
        pv.PlanGenerateView.as_view(),
        name="plan_generate",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/plan/<int:milestone_pk>/",
        pv.MilestoneUpdateView.as_view(),
        name="milestone_update",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/plan/<int:milestone_pk>/done/",
        pv.MilestoneDoneView.as_view(),
        name="milestone_done",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/plan/<int:milestone_pk>/delete/",
        pv.MilestoneDeleteView.as_view(),
        name="milestone_delete",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/meetings/new/",
        pv.MeetingCreateView.as_view(),
        name="meeting_create",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/meetings/<int:meeting_pk>/",
        pv.MeetingDetailView.as_view(),
        name="meeting_detail",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/meetings/<int:meeting_pk>/edit/",
        pv.MeetingUpdateView.as_view(),
        name="meeting_update",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/meetings/<int:meeting_pk>/invitees/<int:invitee_pk>/attendance/",
        pv.AttendanceView.as_view(),
        name="invitee_attendance",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/outbox/",
        pv.OutboxView.as_view(),
        name="programme_outbox",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/outbox/<int:message_pk>/retry/",
        pv.OutboxRetryView.as_view(),
        name="outbox_retry",
    ),
    path(
        "documents/<slug:org>/<int:programme_pk>/plan/",
        documents.DocumentRequestView.as_view(),
        name="document_request",
    ),
    path(
        "documents/<slug:org>/<int:programme_pk>/<int:document_pk>/",
        documents.DocumentStatusView.as_view(),
        name="document_status",
    ),
    path(
        "documents/<slug:org>/<int:programme_pk>/<int:document_pk>/retry/",
        documents.DocumentRetryView.as_view(),
        name="document_retry",
    ),
    path(
        "documents/<slug:org>/<int:programme_pk>/<int:document_pk>/download/",
        documents.DocumentDownloadView.as_view(),
        name="document_download",
    ),
    path(
        "portal/<slug:org>/programmes/<int:programme_pk>/",
        portal.PortalProgrammeView.as_view(),
        name="portal_programme",
    ),
    path(
        "meeting/<slug:org>/<str:token>/",
        meeting_reply.MeetingReplyView.as_view(),
        name="meeting_reply",
    ),
    path(
        "meeting/<slug:org>/",
        meeting_reply.MeetingReplyView.as_view(),
        name="meeting_reply_continue",
    ),
]
