"""Counting, whole process (issue 16, benchmark item 4): ``python -m elections.counting`` on
the seeded 100,000-ballot election of ``counting_profile.py`` (15 candidates, 5 seats,
weights 1/5/15/50), Meek / Scottish STV / Schulze, start-up included. Best of 3 runs each.

    python bench/bench_counting.py [--ballots N]

``run(ballots=100_000)`` returns the rows (``name``, ``seconds``, ``target_seconds``, and
``cpu_seconds`` and a ``detail``) for the ``make bench`` driver. The processor time is printed
beside the wall clock: on a machine busy with other work the wall clock also counts the
time the count waited for a core.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import counting_profile  # noqa: E402  (beside this script, found through sys.path above)

#: (method, target in seconds for the whole process)
TARGETS = (("meek", 1.0), ("scottish", 0.5), ("schulze", 0.5))
RUNS = 3


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(path: Path, method: str) -> tuple[float, float, list[str]]:
    """Best wall-clock time of ``RUNS`` runs of the tool, the processor time of that run
    (on a busy machine the wall clock also counts waiting for a core), who it elected."""
    best = cpu = float("inf")
    elected: list[str] = []
    for _ in range(RUNS):
        cpu_start = _cpu()
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "elections.counting", str(path), "--method", method, "--seats", "5"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        took = time.perf_counter() - start
        used = _cpu() - cpu_start
        if proc.returncode != 0:
            raise RuntimeError(f"{method}: exit status {proc.returncode}: {proc.stderr.strip()}")
        if took < best:
            best, cpu = took, used
        elected = json.loads(proc.stdout)["elected"]
    return best, cpu, elected


def run(ballots: int = 100_000) -> list[dict[str, Any]]:
    rankings = counting_profile.rankings(ballots)
    distinct = len({r for _, r in rankings})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "election.blt"
        path.write_text(counting_profile.blt(ballots), encoding="utf-8")
        rows = []
        for method, target in TARGETS:
            seconds, cpu, elected = _time(path, method)
            rows.append(
                {
                    "name": f"counting {method}",
                    "seconds": seconds,
                    "target_seconds": target,
                    "cpu_seconds": cpu,
                    "detail": f"{ballots:,} ballots, {distinct:,} distinct rankings; elected {', '.join(elected)}",
                }
            )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    args = parser.parse_args(argv)
    rows = run(args.ballots)
    print(
        f"counting: {rows[0]['detail'].split(';')[0]}, 15 candidates, 5 seats, best of {RUNS}, whole process"
    )
    for row in rows:
        print(
            f"{row['name']:<18} {row['seconds']:5.2f} s  (target < {row['target_seconds']:g} s)"
            f"  processor {row['cpu_seconds']:.2f} s"
        )


if __name__ == "__main__":
    main()
