"""The Celery app. Configuration comes from Django settings (CELERY_ prefix), read once
at start-up, so eager mode for the embedded run and the tests is decided here."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinetogram.settings.base")

app = Celery("kinetogram")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
