"""Writes of the reporting app (its own rows only: summaries and periodic reports)."""
