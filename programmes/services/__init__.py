"""Every write of the base app, one module per area; import them from `programmes.services`."""

from .accounts import (
    invitation_accept,
    invitation_by_token,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    organisation_create,
    organisation_update,
    user_set_active,
    user_set_language,
)
from .documents import document_build, document_request, register_builder
from .meetings import (
    invitee_add,
    invitee_by_token,
    invitee_set_attended,
    meeting_create,
    meeting_reminder_send,
    meeting_reply,
    meeting_update,
    seats_taken,
)
from .outbox import outbox_deliver, outbox_requeue_stale, outbox_retry
from .plan import (
    milestone_create,
    milestone_delete,
    milestone_set_done,
    milestone_update,
    plan_generate,
    plan_template_ensure,
    plan_template_save,
)
from .programmes import (
    programme_create,
    programme_intake_save,
    programme_update,
    team_member_add,
    team_member_set_ready,
)

__all__ = [
    "document_build",
    "document_request",
    "invitation_accept",
    "invitation_by_token",
    "invitation_create",
    "invitation_resend",
    "invitation_revoke",
    "invitee_add",
    "invitee_by_token",
    "invitee_set_attended",
    "meeting_create",
    "meeting_reminder_send",
    "meeting_reply",
    "meeting_update",
    "milestone_create",
    "milestone_delete",
    "milestone_set_done",
    "milestone_update",
    "organisation_create",
    "organisation_update",
    "outbox_deliver",
    "outbox_requeue_stale",
    "outbox_retry",
    "plan_generate",
    "plan_template_ensure",
    "plan_template_save",
    "programme_create",
    "programme_intake_save",
    "programme_update",
    "register_builder",
    "seats_taken",
    "team_member_add",
    "team_member_set_ready",
    "user_set_active",
    "user_set_language",
]
