"""Tests of the reporting app."""
