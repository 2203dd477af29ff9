"""Keeps the dashboard summaries up to date."""

__all__ = []
