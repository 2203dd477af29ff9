"""URLs of the base app. Canonical kwarg names: `org` (an organisation's slug),
`programme_pk`, `milestone_pk`, `meeting_pk`, `invitee_pk`, `message_pk`, `document_pk`,
`invitation_pk`, `user_pk`, `job_pk`, `series_pk`, `agreement_pk`, `member_pk`, `token`; the
tenant-isolation test relies on them."""

from django.urls import path

from . import guidance_urls
from .views import (
    accounts,
    board,
    bulk,
    clients,
    documents,
    home,
    mail,
    meeting_reply,
    meeting_series,
    meetings,
    notifications,
    outbox,
    plan,
    portal,
    privacy,
    programmes,
    team,
)

urlpatterns = [
    path("", home.RootView.as_view(), name="root"),
    path("home/", home.HomeView.as_view(), name="home"),
    path("health/", home.HealthView.as_view(), name="health"),
    path("language/", accounts.LanguageSwitchView.as_view(), name="language_switch"),
    path("workspace/", home.WorkspaceView.as_view(), name="workspace"),
    path("workspace/clients/", clients.ClientListView.as_view(), name="client_list"),
    path("workspace/clients/new/", clients.ClientCreateView.as_view(), name="client_create"),
    path("workspace/clients/<slug:org>/", clients.ClientDetailView.as_view(), name="client_detail"),
    path(
        "workspace/clients/<slug:org>/edit/",
        clients.ClientUpdateView.as_view(),
        name="client_update",
    ),
    path("workspace/users/", accounts.UserListView.as_view(), name="user_list"),
    path(
        "workspace/users/invite/", accounts.InvitationCreateView.as_view(), name="invitation_create"
    ),
    path(
        "workspace/users/<int:user_pk>/block/", accounts.UserBlockView.as_view(), name="user_block"
    ),
    path(
        "workspace/invitations/<int:invitation_pk>/resend/",
        accounts.InvitationResendView.as_view(),
        name="invitation_resend",
    ),
    path(
        "workspace/invitations/<int:invitation_pk>/revoke/",
        accounts.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path("workspace/audit/", home.AuditLogView.as_view(), name="audit_log"),
    path("workspace/mail/", mail.MailOutboxView.as_view(), name="mail_outbox"),
    path("workspace/privacy/", privacy.PrivacyView.as_view(), name="privacy"),
    path("workspace/privacy/person/", privacy.PrivacyPersonView.as_view(), name="privacy_person"),
    path("me/data/", privacy.MyDataView.as_view(), name="my_data"),
    path(
        "workspace/clients/<slug:org>/retention/",
        privacy.RetentionTermsView.as_view(),
        name="retention_terms",
    ),
    path("workspace/mail/<int:message_pk>/retry/", mail.MailRetryView.as_view(), name="mail_retry"),
    path("notifications/", notifications.NotificationListView.as_view(), name="notification_list"),
    path(
        "notifications/preferences/",
        notifications.NotificationPreferencesView.as_view(),
        name="notification_preferences",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        notifications.NotificationUnsubscribeView.as_view(),
        name="notification_unsubscribe",
    ),
    path("portal/<slug:org>/", portal.PortalHomeView.as_view(), name="portal_home"),
    path(
        "invitation/<slug:org>/<str:token>/",
        accounts.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
    path(
        "invitation/<slug:org>/",
        accounts.InvitationAcceptView.as_view(),
        name="invitation_continue",
    ),
    path("branding/<slug:org>/logo/", clients.OrganisationLogoView.as_view(), name="org_logo"),
    path("workspace/plan-template/", plan.PlanTemplateView.as_view(), name="plan_template"),
    path(
        "workspace/programmes/new/",
        programmes.ProgrammeClientChooseView.as_view(),
        name="programme_new",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/new/",
        programmes.ProgrammeCreateView.as_view(),
        name="programme_create",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/",
        programmes.ProgrammeDetailView.as_view(),
        name="programme_detail",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/edit/",
        programmes.ProgrammeUpdateView.as_view(),
        name="programme_update",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/intake/",
        programmes.ProgrammeIntakeView.as_view(),
        name="programme_intake",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/plan/",
        plan.PlanView.as_view(),
        name="programme_plan",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/plan/generate/",
        plan.PlanGenerateView.as_view(),
        name="plan_generate",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/plan/<int:milestone_pk>/",
        plan.MilestoneUpdateView.as_view(),
        name="milestone_update",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/plan/<int:milestone_pk>/done/",
        plan.MilestoneDoneView.as_view(),
        name="milestone_done",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/plan/<int:milestone_pk>/delete/",
        plan.MilestoneDeleteView.as_view(),
        name="milestone_delete",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/meetings/new/",
        meetings.MeetingCreateView.as_view(),
        name="meeting_create",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/meetings/<int:meeting_pk>/",
        meetings.MeetingDetailView.as_view(),
        name="meeting_detail",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/meetings/<int:meeting_pk>/edit/",
        meetings.MeetingUpdateView.as_view(),
        name="meeting_update",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/meetings/<int:meeting_pk>/invitees/<int:invitee_pk>/attendance/",
        meetings.AttendanceView.as_view(),
        name="invitee_attendance",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/team/",
        team.TeamView.as_view(),
        name="programme_team",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/team/<int:member_pk>/",
        team.TeamMemberView.as_view(),
        name="programme_team_member",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/board/",
        board.BoardView.as_view(),
        name="programme_board",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/outbox/",
        outbox.OutboxView.as_view(),
        name="programme_outbox",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/outbox/<int:message_pk>/retry/",
        outbox.OutboxRetryView.as_view(),
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
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/meeting-series/new/",
        meeting_series.SeriesCreateView.as_view(),
        name="meeting_series_create",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/meeting-series/<int:series_pk>/",
        meeting_series.SeriesDetailView.as_view(),
        name="meeting_series_detail",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/meetings/<int:meeting_pk>/agenda/",
        meeting_series.MeetingAgendaView.as_view(),
        name="meeting_agenda",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/meetings/<int:meeting_pk>/notes/",
        meeting_series.MeetingNotesView.as_view(),
        name="meeting_notes",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/meetings/<int:meeting_pk>/agreements/",
        meeting_series.AgreementCreateView.as_view(),
        name="agreement_create",
    ),
    path(
        "workspace/clients/<slug:org>/programmes/<int:programme_pk>/meetings/<int:meeting_pk>/agreements/<int:agreement_pk>/",
        meeting_series.AgreementStatusView.as_view(),
        name="agreement_status",
    ),
    path(
        "team/<slug:org>/meetings/<int:invitee_pk>/answer/",
        meeting_series.TeamMeetingAnswerView.as_view(),
        name="team_meeting_answer",
    ),
    path(
        "portal/<slug:org>/programmes/<int:programme_pk>/meetings/",
        meeting_series.PortalMeetingsView.as_view(),
        name="portal_meetings",
    ),
    path(
        "workspace/<slug:org>/programmes/<int:programme_pk>/bulk/<int:job_pk>/",
        bulk.BulkJobStatusView.as_view(),
        name="bulk_job_status",
    ),
]

# The guidance over the years: evaluations, the action plan, closing a programme.
urlpatterns += guidance_urls.urlpatterns
