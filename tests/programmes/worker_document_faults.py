"""Faults for the worker of the document worker tests, loaded only there (through
worker_document_settings) and switched on by the test through the environment:

- TEST_DOCUMENT_SLOW=<seconds>: rendering a plan takes that long, so the test can kill the
  worker in the middle of a PDF;
- TEST_DOCUMENT_DB_DOWN=<path>: while that file exists, the database cannot be reached when
  a plan is rendered (the connection points at a database that is not there), as in a
  database outage; it is back for what the pipeline writes afterwards, and for good once the
  test removes the file;
- TEST_DOCUMENT_RETRY_SECONDS=<seconds>: the pause before each retry instead of 5, 15, 45 s.
"""

import contextlib
import os
import time

from django.db import connection

from programmes import tasks
from programmes.services import documents

if os.environ.get("TEST_DOCUMENT_RETRY_SECONDS"):
    tasks.DOCUMENT_RETRY_COUNTDOWNS = (float(os.environ["TEST_DOCUMENT_RETRY_SECONDS"]),)

_real_plan = documents.BUILDERS["plan"]


@contextlib.contextmanager
def _database_away():
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent/database/away.sqlite3"
    else:
        connection.settings_dict["PORT"] = "1"  # nothing listens there
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def _plan(document):
    slow = float(os.environ.get("TEST_DOCUMENT_SLOW") or 0)
    if slow:
        time.sleep(slow)
    away = os.environ.get("TEST_DOCUMENT_DB_DOWN")
    if away and os.path.exists(away):
        with _database_away():
            return _real_plan(document)
    return _real_plan(document)


documents.BUILDERS["plan"] = _plan
