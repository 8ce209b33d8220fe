"""``make faults``: an election night's faults against the production-like stack (issue 16).

Drills (each prints PASS or FAIL with what it saw; the exit status is 1 if any failed):

- ``casting``: 64 connections cast ballots with wrk while one gunicorn worker is SIGKILLed
  and (full form) PostgreSQL is stopped and started again; while it is down the site must
  answer 503 with Retry-After, never 500. Afterwards: ballots stored = roll rows marked;
  then every voter "retries" (a second pass of the same ballots): each is told "already
  voted" if its ballot was stored, or casts now; no voter is left without a ballot, none
  has two. The full form runs on a PostgreSQL cluster it creates with ``pg_createcluster``
  on another port (never the machine's main cluster) and drops at the end.
- ``webhooks``: 200 Stripe events (checkout sessions paid, no invoice of ours: each must
  make exactly one payment, flagged, and one flag) delivered 5 times each, shuffled, by
  8 concurrent senders with real signatures; every event stored once, processed once.
- ``redis`` (full form): the stack's Redis is stopped: pages keep serving, ballots keep
  being cast, jobs wait in the outbox; Redis started again, the relay sends them.

- ``worker``: the Celery worker SIGKILLed (its whole process group) while the schedule job
  (a roll freeze, reminders, a close) is in hand, restarted; then again while the count job
  the close queued is in hand (bench/fault_hooks.py holds the named job before it starts).
  The broker hands each job out again (acks late; an unacknowledged job comes back after
  the visibility timeout, 5 s here, 15 minutes in production); afterwards the roll was
  frozen once, each voter who had not voted has one reminder, the election counted once.

``--short`` (CI, ``make faults-short``): the worker kill during casting, the webhook storm
and the Celery worker kill, on the main cluster in a database of its own, smaller.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # members.billing.fakestripe (no Django)

from stack import Stack, psql, stop_on_sigterm, voted_count, wrk_cast

SLUG = "bench-election"
CLUSTER = ("15", "charterfaults")
failures: list[str] = []


STARTED = time.monotonic()


def check(ok: bool, what: str) -> None:
    print(f"  {'PASS' if ok else 'FAIL'} {what} [{time.monotonic() - STARTED:.0f} s]", flush=True)
    if not ok:
        failures.append(what)


def get(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 - our loopback
    try:
        with urllib.request.urlopen(request, timeout=30) as r:  # noqa: S310
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


# --- PostgreSQL cluster of our own ------------------------------------------------------


def pg_version() -> str:
    return psql("SHOW server_version_num")[:2]


def create_cluster(port: int) -> None:
    version, name = pg_version(), CLUSTER[1]
    subprocess.run(["pg_dropcluster", "--stop", version, name], capture_output=True)
    subprocess.run(
        ["pg_createcluster", version, name, "-p", str(port), "--start", "--", "--auth=trust"],
        check=True,
        capture_output=True,
    )
    for _ in range(50):
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(port), "-q"]).returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError("the drill's PostgreSQL cluster did not start")


def cluster(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", pg_version(), CLUSTER[1], action, "-m", "fast"], check=True, capture_output=True
    )


def drop_cluster() -> None:
    subprocess.run(["pg_dropcluster", "--stop", pg_version(), CLUSTER[1]], capture_output=True)


# --- Drills -----------------------------------------------------------------------------


def drill_casting(stack: Stack, *, restart_db: bool) -> None:
    print(
        "casting under load: a gunicorn worker SIGKILLed" + (", PostgreSQL restarted" if restart_db else "")
    )
    voters = stack.work / "voters.txt"
    lines = len(voters.read_text().split("\n")) - 1
    before = voted_count(db=stack.db, slug=SLUG, port=stack.pg_port)[1]
    done: dict[str, object] = {}
    probes: list[tuple[int, str]] = []

    def during(elapsed: float) -> None:
        if elapsed > 1.5 and "killed" not in done:
            victim = random.choice(stack.gunicorn_workers())
            os.kill(victim, signal.SIGKILL)
            done["killed"] = victim
        if restart_db and elapsed > 3 and "restarted" not in done:
            done["restarted"] = True
            cluster("stop")
            for path in (f"/elections/{SLUG}/", "/api/v1/membership-classes/", "/governance/decisions/"):
                status, headers, _ = get(stack.base + path)
                probes.append((status, headers.get("Retry-After", "")))
            time.sleep(2)
            cluster("start")

    first = wrk_cast(
        stack.base + "/", voters=voters, slug=SLUG, db=stack.db, pg_port=stack.pg_port, expect=before + lines,
        during=during, stall_seconds=8,
    )  # fmt: skip
    print(f"  first pass: {json.dumps(first)}")
    stored, marked = voted_count(db=stack.db, slug=SLUG, port=stack.pg_port)
    check("killed" in done, f"a gunicorn worker was SIGKILLed (pid {done.get('killed')})")
    check(stored == marked, f"ballots stored ({stored}) = roll rows marked ({marked}) after the faults")
    check(
        marked - before >= first["cast"],
        f"every receipt has its ballot ({first['cast']} receipts, {marked - before} marked)",
    )
    check(
        first["s5xx"] == first["s503"], f"no 500 while casting ({first['s5xx'] - first['s503']} non-503 5xx)"
    )
    if restart_db:
        check(
            bool(probes) and all(s == 503 and ra.isdigit() for s, ra in probes),
            f"while PostgreSQL was down: 503 with Retry-After ({probes})",
        )
    # Every voter retries: stored ballots are "already voted", the others cast now.
    second = wrk_cast(
        stack.base + "/", voters=voters, slug=SLUG, db=stack.db, pg_port=stack.pg_port, expect=None,
        stall_seconds=300,
    )  # fmt: skip
    print(f"  retry pass: {json.dumps(second)}")
    stored2, marked2 = voted_count(db=stack.db, slug=SLUG, port=stack.pg_port)
    check(
        second["already"] == marked - before,
        f"retry: {second['already']} told already voted = {marked - before} stored",
    )
    check(
        second["cast"] == lines - (marked - before),
        f"retry: {second['cast']} cast now = {lines - (marked - before)} missing",
    )
    check(second["s5xx"] == 0 and second["other"] == 0, "retry: no errors")
    check(
        stored2 == marked2 == before + lines,
        f"every voter has exactly one ballot ({stored2} stored, {marked2} marked)",
    )
    dups = int(
        psql(
            "SELECT count(*) FROM (SELECT sealed FROM elections_sealedballot GROUP BY sealed HAVING count(*) > 1) d",
            db=stack.db,
            port=stack.pg_port,
        )
    )
    check(dups == 0, "no duplicate sealed ballots")


def _event(i: int, run: str) -> bytes:
    body = {
        "id": f"evt_faults_{run}_{i:04d}",
        "object": "event",
        "type": "checkout.session.completed",
        "api_version": os.environ.get(
            "STRIPE_API_VERSION", "2025-09-30.clover"
        ),  # config/settings/billing.py
        "created": int(time.time()),
        "livemode": False,
        "data": {
            "object": {
                "id": f"cs_faults_{run}_{i:04d}",
                "object": "checkout.session",
                "payment_status": "paid",
                "amount_total": 10000 + i,
                "currency": "usd",
                "payment_intent": f"pi_faults_{run}_{i:04d}",
                "customer": None,
                "metadata": {},
            }
        },
    }
    return json.dumps(body).encode()


def drill_webhooks(stack: Stack) -> None:
    from members.billing.fakestripe.state import sign_payload

    print("Stripe webhook storm: 200 events x 5 deliveries, shuffled, 8 senders")
    run = f"{random.randrange(16**6):06x}"
    secret = stack.env["STRIPE_WEBHOOK_SECRET"]
    events = [_event(i, run) for i in range(200)]
    deliveries = [e for e in events for _ in range(5)]
    random.shuffle(deliveries)
    url = stack.base + "/billing/stripe/webhook/"

    def send(body: bytes) -> int:
        header = sign_payload(body, secret=secret, timestamp=int(time.time()))
        status, _, _ = get(
            url, data=body, headers={"Stripe-Signature": header, "Content-Type": "application/json"}
        )
        return status

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(send, deliveries))
    check(all(s == 200 for s in statuses), f"every delivery answered 200 ({sorted(set(statuses))})")
    like = f"evt_faults_{run}_%"
    deadline = time.monotonic() + 90
    processed = 0
    while time.monotonic() < deadline:
        processed = int(
            psql(f"SELECT count(*) FROM billing_stripeevent WHERE event_id LIKE '{like}' AND outcome <> 'pending'",
                 db=stack.db, port=stack.pg_port)
        )  # fmt: skip
        if processed >= 200:
            break
        time.sleep(1)
    q = lambda sql: psql(sql, db=stack.db, port=stack.pg_port)  # noqa: E731
    stored = int(q(f"SELECT count(*) FROM billing_stripeevent WHERE event_id LIKE '{like}'"))
    once = int(
        q(
            f"SELECT count(*) FROM billing_stripeevent WHERE event_id LIKE '{like}' AND outcome = 'processed' AND attempts = 1"
        )
    )
    jobs = int(
        q(
            f"SELECT count(*) FROM core_outboxmessage WHERE task_name = 'billing.process_stripe_event' AND kwargs->>'event_id' LIKE '{like}'"
        )
    )
    payments = q(
        f"SELECT count(*), count(DISTINCT stripe_checkout_session_id) FROM billing_payment WHERE stripe_checkout_session_id LIKE 'cs_faults_{run}_%'"
    ).split("|")
    flags = int(q(
        f"SELECT count(*) FROM billing_billingflag f JOIN billing_payment p ON p.id = f.payment_id WHERE p.stripe_checkout_session_id LIKE 'cs_faults_{run}_%'"
    ))  # fmt: skip
    check(stored == 200, f"200 events stored once ({stored})")
    check(jobs == 200, f"one processing job each ({jobs})")
    check(once == 200, f"each processed exactly once ({once} processed in one attempt, {processed} finished)")
    check(
        payments == ["200", "200"],
        f"each made exactly one payment ({payments[0]} payments, {payments[1]} sessions)",
    )
    check(flags == 200, f"each payment flagged once for the treasurer ({flags})")


def drill_redis(stack: Stack) -> None:
    print("Redis down: pages serve, ballots are cast, jobs wait in the outbox and run when it is back")
    stack.stop_redis()
    try:
        pages = [get(stack.base + p)[0] for p in ("/", f"/elections/{SLUG}/", "/governance/decisions/")]
        check(all(s == 200 for s in pages), f"pages serve without Redis ({pages})")
        # Casting: the voters of the session file not yet cast are none after the casting
        # drill; a fresh set is made for this drill.
        subprocess.run(
            [sys.executable, "bench/loader.py", "--sessions-only", "--voters", "50", "--out", str(stack.work / "redis")],
            cwd=Path(__file__).resolve().parent.parent, env=stack.loader_env(), check=True, capture_output=True,
        )  # fmt: skip
        before = voted_count(db=stack.db, slug=SLUG, port=stack.pg_port)[1]
        result = wrk_cast(
            stack.base + "/", voters=stack.work / "redis" / "voters.txt", slug=SLUG, db=stack.db,
            pg_port=stack.pg_port, connections=8, expect=before + 50, stall_seconds=8,
        )  # fmt: skip
        check(
            result["cast"] == 50 and result["s5xx"] == 0,
            f"ballots cast without Redis ({result['cast']} of 50)",
        )
        drill_webhook_one = _event(0, f"redis{random.randrange(10**6)}")  # its job must wait, then run
        from members.billing.fakestripe.state import sign_payload

        header = sign_payload(
            drill_webhook_one, secret=stack.env["STRIPE_WEBHOOK_SECRET"], timestamp=int(time.time())
        )
        status, _, _ = get(stack.base + "/billing/stripe/webhook/", data=drill_webhook_one,
                           headers={"Stripe-Signature": header, "Content-Type": "application/json"})  # fmt: skip
        check(status == 200, f"a webhook is stored without Redis ({status})")
        waiting = int(
            psql(
                "SELECT count(*) FROM core_outboxmessage WHERE sent_at IS NULL",
                db=stack.db,
                port=stack.pg_port,
            )
        )
        check(waiting >= 1, f"jobs wait in the outbox ({waiting} unsent)")
    finally:
        stack.start_redis()
    # The relay runs from beat (not started here); it is run by hand, as beat would every 5 s.
    event_id = json.loads(drill_webhook_one)["id"]
    deadline = time.monotonic() + 120
    outcome, relayed = "", []
    while time.monotonic() < deadline:
        out = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", "from core.outbox import relay_outbox; print(relay_outbox())"],
            cwd=Path(__file__).resolve().parent.parent, env=stack.env, capture_output=True, text=True,
        )  # fmt: skip
        relayed.append((out.stdout.strip().splitlines() or ["?"])[-1])
        outcome = psql(
            f"SELECT outcome FROM billing_stripeevent WHERE event_id = '{event_id}'",
            db=stack.db,
            port=stack.pg_port,
        )
        if outcome != "pending":
            break
        time.sleep(5)
    waiting = int(
        psql("SELECT count(*) FROM core_outboxmessage WHERE sent_at IS NULL", db=stack.db, port=stack.pg_port)
    )
    check(
        outcome == "processed", f"Redis back: the waiting job ran ({event_id}: {outcome}; relayed {relayed})"
    )
    check(waiting == 0, f"Redis back: the outbox is empty ({waiting} unsent)")


def _drill_query(stack: Stack, sql: str) -> str:
    return psql(sql, db=stack.db, port=stack.pg_port)


def _audit_count(stack: Stack, slug: str, action: str) -> int:
    return int(
        _drill_query(
            stack,
            f"SELECT count(*) FROM core_auditentry WHERE object_ref = 'election:{slug}' AND action = '{action}'",
        )
    )


def _wait_for(what: str, ok: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ok():
            return True
        time.sleep(0.5)
    print(f"  (gave up waiting for {what})")
    return False


def drill_worker_kill(stack: Stack) -> None:
    """SIGKILL the Celery worker while the schedule job (roll freeze, reminders, the close) and
    then the count job are in hand; restart it: each job runs again and its work is done once."""
    print(
        "a Celery worker SIGKILLed mid-job (roll freeze, reminders, count); restarted, each job finishes once"
    )
    root = Path(__file__).resolve().parent.parent
    subprocess.run(
        [sys.executable, "bench/loader.py", "--drill-elections", "--out", str(stack.work)],
        cwd=root, env=stack.loader_env(), check=True, capture_output=True,
    )  # fmt: skip
    fault = Path(stack.env["CHARTER_FAULT_DIR"])
    runs = fault / "runs"

    def started(name: str) -> int:
        return (
            sum(1 for line in runs.read_text().splitlines() if line.split()[0] == name)
            if runs.exists()
            else 0
        )

    def state(slug: str) -> str:
        return _drill_query(stack, f"SELECT state FROM elections_election WHERE slug = '{slug}'")

    def frozen() -> bool:
        return (
            _drill_query(
                stack, "SELECT roll_frozen_at IS NOT NULL FROM elections_election WHERE slug = 'drill-freeze'"
            )
            == "t"
        )

    def reminders() -> int:
        return int(_drill_query(stack, "SELECT count(*) FROM elections_votingreminder r JOIN elections_election e "
                                       "ON e.id = r.election_id WHERE e.slug = 'drill-remind'"))  # fmt: skip

    def kill_when_running(name: str) -> bool:
        marker = fault / f"running.{name}"
        if not _wait_for(f"{name} in hand", marker.exists, 120):
            return False
        stack.kill_worker()
        marker.unlink()
        # Restarting takes a while; the job is handed out again once it has been unacknowledged
        # for the visibility timeout (kombu checks when the worker starts, then every ~100 s).
        time.sleep(float(stack.env["CELERY_VISIBILITY_TIMEOUT"]) + 1)
        return True

    # 1. The schedule job: paused in the worker, the worker SIGKILLed, restarted.
    (fault / "pause").write_text("elections.run_schedule")
    stack.manage("shell", "-c", "from core.outbox import enqueue; enqueue('elections.run_schedule')")
    killed = kill_when_running("elections.run_schedule")
    check(killed, "the worker was SIGKILLed while the schedule job was in hand")
    check(
        not frozen() and reminders() == 0 and state("drill-count") == "voting",
        "nothing of the schedule's work was done by the killed job",
    )
    (fault / "pause").write_text("elections.count")
    stack.start_worker()
    redone = _wait_for(
        "the schedule's work", lambda: frozen() and reminders() > 0 and state("drill-count") != "voting", 180
    )
    check(redone, f"restarted, the schedule job ran again ({started('elections.run_schedule')} starts)")
    # 2. The count job (queued by the close): paused, the worker SIGKILLed, restarted.
    killed = kill_when_running("elections.count")
    check(
        killed and state("drill-count") == "counting",
        "the worker was SIGKILLed while the count job was in hand",
    )
    (fault / "pause").write_text("")
    stack.start_worker()
    counted = _wait_for("the count", lambda: state("drill-count") == "counted", 180)
    check(counted, f"restarted, the count job ran again ({started('elections.count')} starts)")
    # Exactly once.
    unvoted = int(_drill_query(stack, "SELECT count(*) FROM elections_rollentry r JOIN elections_election e "
                                      "ON e.id = r.election_id WHERE e.slug = 'drill-remind' AND NOT r.has_voted "
                                      "AND NOT r.struck"))  # fmt: skip
    frozen_entries = _audit_count(stack, "drill-freeze", "election.roll_frozen")
    check(frozen() and frozen_entries == 1, f"the roll was frozen once ({frozen_entries} audit entries)")
    sent = reminders()
    check(sent == unvoted, f"one reminder per voter who had not voted ({sent} reminders, {unvoted} voters)")
    counts = _audit_count(stack, "drill-count", "election.counted")
    check(counts == 1, f"the election was counted once ({counts} audit entries)")


def main() -> int:
    parser = argparse.ArgumentParser(description="Charter's fault drills (issue 16).")
    parser.add_argument("--short", action="store_true", help="worker kill + webhook storm (CI)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("FAULTS_PORT", "18700")))
    parser.add_argument("--redis-port", type=int, default=int(os.environ.get("FAULTS_REDIS_PORT", "16391")))
    parser.add_argument("--pg-port", type=int, default=int(os.environ.get("FAULTS_PG_PORT", "5499")))
    args = parser.parse_args()
    stop_on_sigterm()
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="charter-faults-"))
    own_cluster = not args.short
    pg_port = args.pg_port if own_cluster else 5432
    stack = Stack(db="charter_faults", port=args.port, redis_port=args.redis_port, work=work, pg_port=pg_port)
    # The worker-kill drill: the worker's hook (bench/fault_hooks.py) and a broker that gives a
    # killed worker's unacknowledged job back after 5 s (production: 15 minutes).
    (work / "fault").mkdir()
    stack.env.update(
        CHARTER_FAULT_DIR=str(work / "fault"), CELERY_VISIBILITY_TIMEOUT="5", EMAIL_URL="dummymail://"
    )
    try:
        if own_cluster:
            create_cluster(pg_port)
        stack.start_redis()
        # The short form (CI, at most 3 minutes) casts fewer ballots; the properties are the same.
        members, voters = (800, 200) if args.short else (1500, 400)
        loaded = stack.setup(members=members, organisations=10, voters=voters)
        print(
            f"stack: {stack.web_workers} gunicorn workers, PostgreSQL on port {pg_port}; data {json.dumps(loaded)}"
            f" [{time.monotonic() - STARTED:.0f} s]"
        )
        stack.start_web()
        stack.start_worker()
        drill_casting(stack, restart_db=own_cluster)
        drill_webhooks(stack)
        if not args.short:
            drill_redis(stack)
        drill_worker_kill(stack)
    finally:
        stack.stop()
        with contextlib.suppress(subprocess.CalledProcessError):
            stack.drop_database()
        if own_cluster:
            drop_cluster()
    print(
        f"{'FAILED: ' + '; '.join(failures) if failures else 'all drills passed'} ({time.monotonic() - started:.0f} s; logs in {work})"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
