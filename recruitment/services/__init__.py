"""Every write of the recruitment app, one module per area; import them from
`recruitment.services`."""

from .applications import application_submit, applications_delete_expired, applications_merge
from .campaign import (
    campaign_for,
    campaign_save,
    channel_add,
    consent_text,
    door_visit_log,
)
from .meetings import (
    APPLICANTS_INVITE,
    InviteResult,
    applicants_invite,
    applicants_invite_chunk,
    applicants_invite_start,
    invite_result_message,
    invite_started_message,
)
from .selection import (
    application_decide,
    application_decision_undo,
    application_move,
    decision_mail_preview,
    decision_ref,
    decisions_held,
)
from .survey import (
    JOIN_QUESTION,
    SURVEY_TEMPLATE,
    join_consent_text,
    prospect_convert,
    question_add,
    question_remove,
    survey_conclusions_save,
    survey_create,
    survey_follow_up_create,
    survey_respond,
    survey_set_status,
    survey_tallies_rebuild,
)

__all__ = [
    "JOIN_QUESTION",
    "SURVEY_TEMPLATE",
    "InviteResult",
    "APPLICANTS_INVITE",
    "applicants_invite",
    "applicants_invite_chunk",
    "applicants_invite_start",
    "application_decide",
    "application_decision_undo",
    "application_move",
    "application_submit",
    "applications_delete_expired",
    "applications_merge",
    "campaign_for",
    "campaign_save",
    "channel_add",
    "consent_text",
    "decision_mail_preview",
    "decision_ref",
    "decisions_held",
    "door_visit_log",
    "invite_result_message",
    "invite_started_message",
    "join_consent_text",
    "prospect_convert",
    "question_add",
    "question_remove",
    "survey_conclusions_save",
    "survey_create",
    "survey_follow_up_create",
    "survey_respond",
    "survey_set_status",
    "survey_tallies_rebuild",
]
