"""Drafts the periodic reports on the first working day and sends the approved ones."""

__all__ = []
