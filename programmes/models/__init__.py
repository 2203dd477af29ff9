"""The base app's models, one module per area; import them from `programmes.models`."""

from .base import AuditEntry, Invitation, Organisation, User, UserManager, hex_colour
from .bulk import BulkJob
from .documents import Document
from .meetings import Invitee, Meeting
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
from .programme import Goal, Partner, Programme, TeamMember
from .tenant import TenantModel

__all__ = [
    "PHASE_ORDER",
    "PROGRESS_PHASE",
    "PROGRESS_TICKS",
    "AuditEntry",
    "BulkJob",
    "Document",
    "Goal",
    "Invitation",
    "Invitee",
    "Meeting",
    "Milestone",
    "Notification",
    "NotificationDigest",
    "NotificationPreference",
    "Organisation",
    "OutboxMessage",
    "Partner",
    "Phase",
    "Programme",
    "Progress",
    "ProgressEvent",
    "TeamMember",
    "TemplateMilestone",
    "TenantModel",
    "User",
    "UserManager",
    "hex_colour",
]
