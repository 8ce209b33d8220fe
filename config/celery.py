"""The Celery application.

The broker comes from ``CELERY_BROKER_URL``: Redis in production and CI, kombu's
filesystem transport in the embedded default (no server to install).
"""

import contextlib
import os
from pathlib import Path

from celery import Celery
from celery.signals import beat_init, task_postrun, task_prerun

from core.logs import job_finished, job_started

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("charter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _ensure_filesystem_broker_folders() -> None:
    # kombu's filesystem transport expects its folders to exist.
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


app.on_after_configure.connect(lambda sender, **kwargs: _ensure_filesystem_broker_folders(), weak=False)


# --- Operations: job logs carry the enqueuing request's id; beat beats at once ------------------
# (core.logs: the outbox relay sends the id as a header, these put it in the job's context.)
task_prerun.connect(job_started, weak=False)
task_postrun.connect(job_finished, weak=False)


def _first_heartbeat(sender: object = None, **kwargs: object) -> None:
    # /readyz wants a recent heartbeat: send the first one now, not half a minute after start.
    with contextlib.suppress(Exception):  # the schedule sends the next; beat must not fail here
        app.send_task("core.beat_heartbeat")


beat_init.connect(_first_heartbeat, weak=False)
