"""The worker-kill drill's hook in the Celery worker (bench/faults.py starts it with ``-I bench.fault_hooks``).

With ``CHARTER_FAULT_DIR`` set, every job start is appended to ``runs`` in that folder (name
and id), and a job whose name is listed in the folder's ``pause`` file writes
``running.<name>`` and sleeps before it starts (``CHARTER_FAULT_PAUSE`` seconds), so the
drill can SIGKILL the worker while the job is in hand and unacknowledged. Not loaded by
the application: only the drill's worker imports it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from celery.signals import task_prerun


def _pause(sender: Any = None, task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    folder = os.environ.get("CHARTER_FAULT_DIR")
    if not folder or task is None:
        return
    root = Path(folder)
    with open(root / "runs", "a", encoding="utf-8") as runs:
        runs.write(f"{task.name} {task_id}\n")
    pause = root / "pause"
    names = pause.read_text().split() if pause.exists() else []
    if task.name in names:
        (root / f"running.{task.name}").write_text(str(task_id))
        time.sleep(float(os.environ.get("CHARTER_FAULT_PAUSE", "120")))


task_prerun.connect(_pause, weak=False)
