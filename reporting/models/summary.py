"""Summary tables that keep the dashboards fast over years of data, kept up to date by tasks."""

__all__ = []
