"""Settings of the worker in the document worker tests: the project's own, plus a module of
faults that the test switches on through the environment (worker_document_faults)."""

from config.settings.base import *  # noqa: F403

CELERY_IMPORTS = ["tests.programmes.worker_document_faults"]
