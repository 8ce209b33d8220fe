"""The shared clock of the browser journeys: an offset file that every process reads."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from core import clock


def test_an_offset_written_by_one_process_moves_the_clock_of_another(tmp_path, settings):
    path = tmp_path / "clock-offset"
    settings.CLOCK_OFFSET_FILE = str(path)
    before = clock.now()
    # Another process (as the live server's worker would be) moves everyone's clock by 3 days.
    script = (
        "import datetime as dt, django, os; django.setup(); from core import clock; "
        "from django.conf import settings; settings.CLOCK_OFFSET_FILE = os.environ['CLOCK_FILE']; "
        "clock.shared_advance(dt.timedelta(days=3))"
    )
    subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        env={**os.environ, "CLOCK_FILE": str(path)},
    )
    moved = clock.now()
    assert dt.timedelta(days=3) <= moved - before < dt.timedelta(days=3, minutes=5)
    clock.shared_advance(dt.timedelta(days=1))
    assert dt.timedelta(days=4) <= clock.now() - before < dt.timedelta(days=4, minutes=5)


def test_without_the_setting_the_file_is_ignored(tmp_path, settings):
    path = tmp_path / "clock-offset"
    path.write_text("86400")
    settings.CLOCK_OFFSET_FILE = ""
    assert abs(clock.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
