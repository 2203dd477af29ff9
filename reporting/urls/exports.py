"""Streamed exports (CSV and XLSX) of signals, rounds, conversations and effort."""

urlpatterns = []
