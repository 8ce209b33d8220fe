"""Call a bench module's ``run(n)`` in a process of its own and print its result as JSON.

``python bench/_call.py bench_roll_freeze 100000`` (in a throwaway test database on
``DATABASE_URL``) or ``python bench/_call.py bench_counting 100000 --no-db``. A ``run``
without parameters reads its size from ``BENCH_MEMBERS`` / ``BENCH_BALLOTS``. Whatever the
module prints is passed through; a returned dict is printed last as ``CALLJSON {...}``.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    name, n = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("BENCH_MEMBERS", str(n))
    os.environ.setdefault("BENCH_BALLOTS", str(n))
    if "--no-db" in sys.argv:
        module = importlib.import_module(name)
        result = _call(module.run, n)
    else:
        from _setup import benchmark_database

        with benchmark_database():
            module = importlib.import_module(name)
            result = _call(module.run, n)
    if isinstance(result, dict | list):  # the benches' run() return a list of rows
        print("CALLJSON " + json.dumps(result, default=str), flush=True)


def _call(run: object, n: int) -> object:
    assert callable(run)
    return run(n) if inspect.signature(run).parameters else run()


if __name__ == "__main__":
    main()
