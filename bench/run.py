"""``make bench``: Charter measured against its own stack's ceiling (issue 16).

Starts a production-like stack (bench/stack.py: gunicorn with 2 × cores + 1 workers and a
Celery worker under production settings, a PostgreSQL database ``charter_bench`` dropped
and created here, a redis-server of its own), loads it in bulk (bench/loader.py), drives
it with ``wrk`` (bench/wrk/*.lua; never a Python loop), and prints a table, also written
to bench/results.md:

1. voting rights, JSON and ``?format=jws``: req/s, p50/p99, ratio to the trivial view;
2. casting: every prepared voter casts one ranked ballot through the ballot form,
   64 connections; ballots/s, p99, ratio; then ballots stored = roll rows marked;
3. roll freeze (bench/bench_roll_freeze.py ``run``);
4. counting (bench/bench_counting.py ``run``, when present);
5. p50/p99 of the election page, the decisions register and the member dashboard under
   16 connections, with the trivial view.

``--quick`` uses small sizes and short runs for development.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import PY, ROOT, Stack, psql, stop_on_sigterm, voted_count, wrk, wrk_cast

SIZES = {
    "full": {"members": 100_000, "organisations": 300, "voters": 20_000, "seconds": 15, "page_seconds": 10},
    "quick": {"members": 3_000, "organisations": 30, "voters": 1_000, "seconds": 4, "page_seconds": 6},
}
SLUG = "bench-election"


ROUNDS = 2  # the voting-rights measurements, taken in turn this many times


def _rate(runs: list[dict]) -> float:
    seconds = sum(r["seconds"] for r in runs)
    return sum(r["requests"] for r in runs) / seconds if seconds else 0.0


def _latency(runs: list[dict]) -> str:
    # p50 and p99 of the rounds: the median of their p50s and the worst p99.
    p50s = sorted(r["p50_ms"] for r in runs)
    return f"{p50s[len(p50s) // 2]:.1f} / {max(r['p99_ms'] for r in runs):.1f} ms"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


def _call(module: str, n: int, env: dict[str, str], *, db: bool) -> tuple[dict | None, str]:
    argv = [PY, "bench/_call.py", module, str(n)] + ([] if db else ["--no-db"])
    out = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    result = None
    lines = []
    for line in out.stdout.splitlines():
        if line.startswith("CALLJSON "):
            result = json.loads(line[len("CALLJSON ") :])
        elif not line.startswith("{"):
            lines.append(line)
    if out.returncode != 0:
        lines.append("FAILED: " + (out.stderr.strip().splitlines() or ["?"])[-1])
    return result, "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="Charter's benchmark table (issue 16).")
    parser.add_argument("--quick", action="store_true", help="small sizes, short runs (development)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "18600")))
    parser.add_argument("--redis-port", type=int, default=int(os.environ.get("BENCH_REDIS_PORT", "16390")))
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "charter_bench"))
    parser.add_argument(
        "--cast-budget", type=float, default=float(os.environ.get("BENCH_CAST_BUDGET", "900")),
        help="stop casting after this many seconds (a safety net: every voter casts well before)",
    )  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.md")
    args = parser.parse_args()
    stop_on_sigterm()
    size = SIZES["quick" if args.quick else "full"]
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="charter-bench-"))
    stack = Stack(db=args.db, port=args.port, redis_port=args.redis_port, work=work)
    cores = os.cpu_count() or 1
    pg_version = psql("SHOW server_version")
    head = [
        f"Charter benchmark ({'quick' if args.quick else 'full'}), {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"cores: {cores}; PostgreSQL {pg_version}; {platform.python_implementation()} {platform.python_version()}; "
        f"gunicorn workers: {stack.web_workers}; wrk 2 threads",
    ]
    print("\n".join(head), flush=True)
    rows: list[tuple[str, str, str, str, str]] = []  # what, measured, p50/p99, ratio, target
    notes: list[str] = []

    def step(text: str) -> None:
        print(f"[{time.monotonic() - started:6.0f}s] {text}", flush=True)

    try:
        stack.start_redis()
        step(
            f"loading: {size['members']:,} members, {size['organisations']} organisations, {size['voters']:,} voters"
        )
        loaded = stack.setup(
            members=size["members"], organisations=size["organisations"], voters=size["voters"]
        )
        step(f"loaded: {json.dumps(loaded)}")
        notes.append(
            f"data: {loaded['members']:,} members + {loaded['organisations']} organisations, "
            f"{loaded['events']:,} membership events, roll {loaded['election']['roll_rows']:,} rows, "
            f"snapshot backfill: {loaded['snapshot_backfill'] or 'none in this code'}"
        )
        # A bulk load leaves the tables for autovacuum to visit, which it would do in the middle
        # of a measurement; a live database has been vacuumed. Vacuum now, outside the clock.
        t_vacuum = time.monotonic()
        psql("VACUUM (ANALYZE)", db=args.db)
        step(f"vacuumed in {time.monotonic() - t_vacuum:.0f} s")
        stack.start_web()
        stack.start_worker()
        base = stack.base
        secs, page_secs = size["seconds"], size["page_seconds"]
        numbers = str(work / "numbers.txt")
        paths = work / "rights.txt"
        paths.write_text(
            "".join(f"/api/v1/voting-rights/members/{n}/\n" for n in Path(numbers).read_text().split())
        )
        jws_paths = work / "rights-jws.txt"
        jws_paths.write_text(
            "".join(
                f"/api/v1/voting-rights/members/{n}/?format=jws\n" for n in Path(numbers).read_text().split()
            )
        )
        # Warm every worker (imports, connections, the rule set) before measuring.
        wrk("get.lua", base + "/api/v1/bench/ping/", connections=16, seconds=2, env={})
        wrk("get.lua", base + "/", connections=16, seconds=2, env={"WRK_PATHS": str(paths)})

        # 1. voting rights: the trivial view, JSON and JWS measured in turn, ROUNDS times over,
        # so a slow patch of the machine (a checkpoint, another process) weighs on each alike;
        # rates are over the rounds together, each ratio to the trivial view's.
        step("1. voting rights")
        measured: dict[str, list[dict]] = {"ping": [], "json": [], "jws": []}
        for _round in range(ROUNDS):
            measured["ping"].append(
                wrk("get.lua", base + "/api/v1/bench/ping/", connections=32, seconds=secs, env={})
            )
            for key, file in (("json", paths), ("jws", jws_paths)):
                measured[key].append(
                    wrk("get.lua", base + "/", connections=32, seconds=secs, env={"WRK_PATHS": str(file)})
                )
        ping_rps = _rate(measured["ping"])
        rows.append(
            (
                "trivial CharterAPIView, 32 conn",
                f"{ping_rps:,.0f} req/s",
                _latency(measured["ping"]),
                "1.00",
                "-",
            )
        )
        for key, label in (("json", "voting rights JSON"), ("jws", "voting rights ?format=jws")):
            rps = _rate(measured[key])
            rows.append(
                (
                    f"{label}, 32 conn",
                    f"{rps:,.0f} req/s",
                    _latency(measured[key]),
                    ratio(rps, ping_rps),
                    "≥ 0.5",
                )
            )
            bad = sum(r["bad"] for r in measured[key])
            if bad:
                notes.append(
                    f"{label}: {bad} non-2xx answers of {sum(r['requests'] for r in measured[key])} "
                    "(404: members not in the public directory)"
                )
        notes.append(
            f"voting rights: {ROUNDS} rounds of trivial view, JSON, JWS ({secs} s each); per round, "
            "JSON/JWS ratios "
            + ", ".join(
                f"{_rate([j]) / _rate([p]):.2f}/{_rate([w]) / _rate([p]):.2f}"
                for p, j, w in zip(measured["ping"], measured["json"], measured["jws"], strict=True)
            )
        )

        # 2. casting
        step(f"2. casting {size['voters']:,} ballots")
        before = voted_count(db=args.db, slug=SLUG)[1]
        lines = len((work / "voters.txt").read_text().split("\n")) - 1
        cast = wrk_cast(
            base + "/", voters=work / "voters.txt", slug=SLUG, db=args.db, expect=before + lines,
            budget_seconds=args.cast_budget,
        )  # fmt: skip
        ping64 = wrk("get.lua", base + "/api/v1/bench/ping/", connections=64, seconds=secs, env={})
        bps = cast["cast"] / cast["seconds"] if cast["seconds"] else 0
        ping64_rps = ping64["requests"] / ping64["seconds"]
        rows.append(
            (
                "trivial CharterAPIView, 64 conn",
                f"{ping64_rps:,.0f} req/s",
                f"{ping64['p50_ms']:.1f} / {ping64['p99_ms']:.1f} ms",
                "1.00",
                "-",
            )
        )
        rows.append(
            (
                "casting a ranked ballot, 64 conn",
                f"{bps:,.0f} ballots/s",
                f"{cast['p50_ms']:.1f} / {cast['p99_ms']:.1f} ms",
                ratio(bps, ping64_rps),
                "-",
            )
        )
        ballots, marked = voted_count(db=args.db, slug=SLUG)
        duplicates = int(psql(
            "SELECT count(*) FROM (SELECT sealed FROM elections_sealedballot GROUP BY sealed HAVING count(*) > 1) d",
            db=args.db,
        ))  # fmt: skip
        in_flight = 0
        if cast["cast"] + cast["refused"] < lines:
            # Stopped by the budget: the requests in flight then were stored, unanswered to wrk.
            in_flight = marked - before - cast["cast"]
            notes.append(
                f"casting stopped by its time budget (--cast-budget {args.cast_budget:.0f} s) after "
                f"{cast['cast']:,} of {lines:,} ballots; the rate is over those; {in_flight} requests "
                "were in flight when wrk was stopped (stored, their answers unread)"
            )
        consistent = (
            ballots == marked and 0 <= in_flight <= 64 and marked - before - in_flight == cast["cast"]
        )
        consistent = consistent and not duplicates
        notes.append(
            f"casting: {lines:,} voters, {cast['cast']:,} receipts, {cast['refused']} refused, {cast['s5xx']} 5xx, "
            f"{cast['other']} other, {cast['socket_errors']} socket errors; stored {ballots:,} sealed ballots, "
            f"{marked:,} roll rows marked ({before} before): "
            + ("consistent, no duplicates" if consistent else "MISMATCH")
        )

        # 5. pages (before the long subprocess benches, with the stack warm)
        step("5. pages")
        voter = (work / "voters.txt").read_text().split("\n", 1)[0].split()
        cookie = f"sessionid={voter[0]}"
        ping16 = wrk("get.lua", base + "/api/v1/bench/ping/", connections=16, seconds=page_secs, env={})
        rows.append(
            (
                "trivial CharterAPIView, 16 conn",
                f"{ping16['requests'] / ping16['seconds']:,.0f} req/s",
                f"{ping16['p50_ms']:.1f} / {ping16['p99_ms']:.1f} ms",
                "1.00",
                "-",
            )
        )
        for label, path, env in (
            ("election page", f"/elections/{SLUG}/", {}),
            ("decisions register", "/governance/decisions/", {}),
            ("member dashboard (signed in)", "/dashboard/", {"WRK_COOKIE": cookie}),
        ):
            r = wrk("get.lua", base + path, connections=16, seconds=page_secs, env=env)
            rps = r["requests"] / r["seconds"]
            rows.append(
                (
                    f"{label}, 16 conn",
                    f"{rps:,.0f} req/s",
                    f"{r['p50_ms']:.1f} / {r['p99_ms']:.1f} ms",
                    ratio(rps, ping16["requests"] / ping16["seconds"]),
                    "-",
                )
            )
            if r["bad"]:
                notes.append(f"{label}: {r['bad']} non-2xx answers of {r['requests']}")
        stack.stop()

        # 3. roll freeze, 4. counting: their own scripts (w16rights, w16count), in processes of their own.
        env = {**stack.loader_env(), "DATABASE_URL": stack.env["DATABASE_URL"]}
        step("3. roll freeze")
        result, text = _call("bench_roll_freeze", size["members"], env, db=True)
        if isinstance(result, list) and result:
            for row in result:
                extra = row.get("extra") or {}
                ratio_text = str(extra.get("ratio_to_bare_insert", ""))
                rows.append(
                    (
                        f"{row['name']}, {size['members']:,} members",
                        f"{row['seconds']:.2f} s",
                        "",
                        f"{ratio_text} (to the bare INSERT)" if ratio_text else "",
                        "≤ 3x bare INSERT … SELECT" if ratio_text else "-",
                    )
                )
        else:
            rows.append(("roll freeze", text.replace("\n", "; ")[:160], "", "", "≤ 3x bare INSERT … SELECT"))
        step("4. counting")
        ballots = 100_000  # the election, also in --quick (the count does not use the stack)
        result, text = _call("bench_counting", ballots, env, db=False)
        if isinstance(result, list) and result:
            notes.append(f"counting: {result[0]['detail']}, whole process (python -m elections.counting)")
            for row in result:
                met = "met" if row["seconds"] < row["target_seconds"] else "NOT met"
                rows.append(
                    (
                        f"{row['name']}, {ballots:,} ballots",
                        f"{row['seconds']:.2f} s",
                        "",
                        "",
                        f"< {row['target_seconds']:g} s ({met})",
                    )
                )
        else:
            rows.append(
                (
                    "counting",
                    text.replace("\n", "; ")[:200],
                    "",
                    "",
                    "Meek < 1 s, Scottish < 0.5 s, Schulze < 0.5 s",
                )
            )
    finally:
        stack.stop()
        if not args.keep:
            try:
                stack.drop_database()
            except subprocess.CalledProcessError as exc:
                print(f"could not drop {args.db}: {exc}", file=sys.stderr)

    total = time.monotonic() - started
    table = ["| what | measured | p50 / p99 | ratio to trivial | target |", "|---|---|---|---|---|"]
    table += [f"| {' | '.join(r)} |" for r in rows]
    text = "\n".join([*head, "", *table, "", *(f"- {n}" for n in notes), f"- whole run: {total:.0f} s", ""])
    print("\n" + text)
    args.output.write_text(f"# `make bench`{' --quick' if args.quick else ''}\n\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
