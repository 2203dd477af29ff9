"""Settings of the worker in the hand-off worker test: the project's own, with the tests'
receiver on loopback let through (http, a local address)."""

from config.settings.base import *  # noqa: F403

HANDOFF_ALLOW_LOCAL_TARGETS = True
