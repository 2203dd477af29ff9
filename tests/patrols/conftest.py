"""Fixtures for the patrols tests live in tests/conftest.py (`team`, `unscoped`)."""
