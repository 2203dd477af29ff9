"""The base app's models, one module per area; import them from `programmes.models`."""

from .base import AuditEntry, Invitation, Organisation, User, UserManager, hex_colour
from .documents import Document
from .meetings import Invitee, Meeting
from .outbox import OutboxMessage
from .plan import PHASE_ORDER, Milestone, Phase, TemplateMilestone
from .programme import Goal, Partner, Programme, TeamMember

__all__ = [
    "PHASE_ORDER",
    "AuditEntry",
    "Document",
    "Goal",
    "Invitation",
    "Invitee",
    "Meeting",
    "Milestone",
    "Organisation",
    "OutboxMessage",
    "Partner",
    "Phase",
    "Programme",
    "TeamMember",
    "TemplateMilestone",
    "User",
    "UserManager",
    "hex_colour",
]
