"""The base app's models, one module per area; import them from `programmes.models`."""

from .base import AuditEntry, Invitation, Organisation, User, UserManager, hex_colour
from .board import TeamMessage, TeamMessageRecipient
from .bulk import BulkJob
from .documents import Document
from .guidance import (
    Action,
    Evaluation,
    EvaluationEvent,
    EvaluationSchedule,
    EvaluationStatus,
    ProgrammeClosure,
)
from .meetings import Agreement, Invitee, Meeting, MeetingSeries
from .notifications import Notification, NotificationDigest, NotificationPreference
from .outbox import OutboxMessage
from .plan import (
    PHASE_ORDER,
    PROGRESS_PHASE,
    PROGRESS_TICKS,
    Milestone,
    Phase,
    Progress,
    ProgressEvent,
    TemplateMilestone,
)
from .privacy import PrivacyRequest, RetentionRun, RetentionSetting
from .programme import Goal, MembershipEvent, Partner, Programme, TeamMember
from .reads import ReadEntry
from .tenant import TenantModel

__all__ = [
    "PHASE_ORDER",
    "PROGRESS_PHASE",
    "PROGRESS_TICKS",
    "Action",
    "Agreement",
    "AuditEntry",
    "BulkJob",
    "Document",
    "Evaluation",
    "EvaluationEvent",
    "EvaluationSchedule",
    "EvaluationStatus",
    "Goal",
    "Invitation",
    "Invitee",
    "Meeting",
    "MembershipEvent",
    "MeetingSeries",
    "Milestone",
    "Notification",
    "NotificationDigest",
    "NotificationPreference",
    "Organisation",
    "OutboxMessage",
    "Partner",
    "Phase",
    "PrivacyRequest",
    "Programme",
    "ProgrammeClosure",
    "Progress",
    "ProgressEvent",
    "ReadEntry",
    "RetentionRun",
    "RetentionSetting",
    "TeamMember",
    "TeamMessage",
    "TeamMessageRecipient",
    "TemplateMilestone",
    "TenantModel",
    "User",
    "UserManager",
    "hex_colour",
]
