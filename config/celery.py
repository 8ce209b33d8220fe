"""The Celery application.

The broker comes from ``CELERY_BROKER_URL``: Redis in production and CI, kombu's
filesystem transport in the embedded default (no server to install).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("charter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
