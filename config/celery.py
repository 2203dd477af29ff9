"""The Celery application.

With no broker configured (the embedded default) tasks run in-process, eagerly, so a fresh
checkout needs no Redis; production sets CELERY_BROKER_URL.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("bewonersteam")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
