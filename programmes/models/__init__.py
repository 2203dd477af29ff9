"""The base app's models, one module per area; import them from `programmes.models`."""

from .base import AuditEntry, Invitation, Organisation, User, UserManager, hex_colour

__all__ = ["AuditEntry", "Invitation", "Organisation", "User", "UserManager", "hex_colour"]
