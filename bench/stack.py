"""A production-like Charter stack for benchmarks and fault drills, started and stopped here.

gunicorn (``config/gunicorn.conf.py``, 2 × cores + 1 workers unless ``WEB_CONCURRENCY``)
and a Celery worker under ``config.settings.production``, on a PostgreSQL database of
their own (dropped and created by ``create_database``) and a redis-server of their own
on another port (the machine's Redis is never touched). Secrets are throwaway ones
made here, as in ``.ci/serve-check``: this is a bench, never a deployment.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")


def _signing_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    return key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()).decode()


def _secret() -> str:
    return base64.urlsafe_b64encode(os.urandom(48)).decode().rstrip("=")


def psql(sql: str, *, port: int = 5432, db: str = "postgres") -> str:
    out = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "-d",
            db,
            "-v",
            "ON_ERROR_STOP=1",
            "-qtAc",
            sql,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def stop_on_sigterm() -> None:
    """TERM (timeout, CI, kill PID) unwinds like Ctrl-C, so the stack's finally stops what it started."""

    def _exit(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)


class Stack:
    def __init__(
        self,
        *,
        db: str,
        port: int,
        redis_port: int,
        work: Path,
        pg_port: int = 5432,
        web_workers: int | None = None,
        worker_concurrency: int = 1,
    ) -> None:
        self.db, self.port, self.redis_port, self.pg_port = db, port, redis_port, pg_port
        self.work = work
        self.work.mkdir(parents=True, exist_ok=True)
        self.web_workers = web_workers or 2 * (os.cpu_count() or 1) + 1
        self.worker_concurrency = worker_concurrency
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        secret = _secret()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg_port}/{db}",
            "DB_CONN_MAX_AGE": "60",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
            "CACHE_URL": f"redis://127.0.0.1:{redis_port}/1",
            "SECRET_KEY": secret,
            "BENCH_SECRET_KEY": secret,
            "SIGNING_KEY_PEM": _signing_key_pem(),
            "BALLOT_KEK": _secret(),
            "STRIPE_SECRET_KEY": "sk_test_bench",
            "STRIPE_WEBHOOK_SECRET": "whsec_bench_" + _secret()[:24],
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(self.web_workers),
            "CHARTER_BENCH": "1",
            # Sponsors' tools poll from many addresses, through the proxy: wrk sends each request
            # from one of WRK_CLIENTS addresses in X-Forwarded-For (bench/wrk/get.lua), and the
            # API's throttles run at their production rates, per client.
            "TRUSTED_PROXY_COUNT": "1",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("STRIPE_API_BASE", None)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def loader_env(self) -> dict[str, str]:
        """The loader runs under test settings (seed_demo refuses production) on the same data."""
        return {**self.env, "DJANGO_SETTINGS_MODULE": "config.settings.test"}

    # --- the parts ---------------------------------------------------------------------

    def create_database(self) -> None:
        psql(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)", port=self.pg_port)
        psql(f"CREATE DATABASE {self.db}", port=self.pg_port)

    def drop_database(self) -> None:
        psql(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)", port=self.pg_port)

    def manage(self, *args: str, env: dict[str, str] | None = None) -> None:
        subprocess.run(
            [PY, "manage.py", *args], cwd=ROOT, env=env or self.env, check=True, stdout=subprocess.DEVNULL
        )

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.work / f"{name}.log", "ab")  # noqa: SIM115 - lives with the process
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs[name] = proc
        return proc

    def start_redis(self) -> None:
        if (
            subprocess.run(["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True).returncode
            == 0
        ):
            raise RuntimeError(
                f"a Redis already answers on port {self.redis_port}: another bench still running?"
            )
        self._start(
            "redis",
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
        )
        for _ in range(50):
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True
                ).returncode
                == 0
            ):
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop_redis(self) -> None:
        self._stop("redis")

    def start_web(self) -> None:
        import socket

        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                raise RuntimeError(f"port {self.port} is already in use: another bench still running?")
        self._start("gunicorn", [PY, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"])
        self.wait_ready("/healthz")

    def start_worker(self) -> None:
        self._start(
            "worker",
            [
                PY,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=WARNING",
                f"--concurrency={self.worker_concurrency}",
                *(["-I", "bench.fault_hooks"] if self.env.get("CHARTER_FAULT_DIR") else []),
            ],
        )

    def kill_worker(self) -> None:
        """SIGKILL the Celery worker, its pool processes with it (a machine or container dying)."""
        proc = self.procs.pop("worker")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def wait_ready(self, path: str = "/healthz", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + path, timeout=2) as r:  # noqa: S310 - our loopback
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.base}{path} did not answer; see {self.work}")

    def gunicorn_workers(self) -> list[int]:
        master = self.procs["gunicorn"].pid
        out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def _stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        except ProcessLookupError:
            pass

    def stop(self) -> None:
        for name in ("gunicorn", "worker", "redis"):
            self._stop(name)
        for name in list(self.procs):
            self._stop(name)

    def setup(self, *, members: int, organisations: int, voters: int) -> dict[str, Any]:
        """Database, migrations, static files, the bulk data (bench/loader.py)."""
        import json

        self.create_database()
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("collectstatic", "--noinput", "-v", "0")
        out = subprocess.run(
            [PY, "bench/loader.py", "--members", str(members), "--organisations", str(organisations),
             "--voters", str(voters), "--out", str(self.work)],
            cwd=ROOT, env=self.loader_env(), check=True, capture_output=True, text=True,
        )  # fmt: skip
        return json.loads(out.stdout.strip().splitlines()[-1])


def wrk(
    script: str, url: str, *, connections: int, seconds: int, env: dict[str, str], threads: int = 2
) -> dict:
    """Run wrk with a Lua script of bench/wrk/ and return its JSON line."""
    import json

    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s",
            str(ROOT / "bench" / "wrk" / script), url]  # fmt: skip
    out = subprocess.run(
        argv, env={**os.environ, **env, "WRK_THREADS": str(threads)}, capture_output=True, text=True
    )
    for line in out.stdout.splitlines():
        if line.startswith("WRKJSON "):
            return json.loads(line[len("WRKJSON ") :])
    sys.stderr.write(out.stdout + out.stderr)
    raise RuntimeError(f"wrk gave no result for {url}")


def voted_count(*, db: str, slug: str, port: int = 5432) -> tuple[int, int]:
    """(sealed ballots stored, roll rows marked as voted) for the election ``slug``."""
    out = psql(
        "SELECT (SELECT count(*) FROM elections_sealedballot b JOIN elections_election e ON e.id = b.election_id"
        f" WHERE e.slug = '{slug}') || ' ' || (SELECT count(*) FROM elections_rollentry r JOIN elections_election e"
        f" ON e.id = r.election_id WHERE e.slug = '{slug}' AND r.has_voted)",
        db=db,
        port=port,
    ).split()
    return int(out[0]), int(out[1])


def wrk_cast(
    url: str,
    *,
    voters: Path,
    slug: str,
    db: str,
    connections: int = 64,
    pg_port: int = 5432,
    expect: int | None,
    stall_seconds: float = 15,
    during: object = None,
    budget_seconds: float = 3600,
) -> dict:
    """Cast every ballot of ``voters`` with wrk (bench/wrk/cast.lua); stop wrk when every
    ballot has its answer, the roll shows ``expect`` votes (unless None), nothing changed for ``stall_seconds``, or after ``budget_seconds``. ``during(elapsed)`` is
    called every half second while it runs (the fault drills kill things from it)."""
    import json

    argv = ["wrk", "-t2", f"-c{connections}", "-d3600s", "--timeout", "30s", "-s",
            str(ROOT / "bench" / "wrk" / "cast.lua"), url]  # fmt: skip
    import tempfile

    done = Path(tempfile.mkdtemp(prefix="charter-wrk-"))
    env = {
        **os.environ,
        "WRK_VOTERS": str(voters),
        "WRK_SLUG": slug,
        "WRK_THREADS": "2",
        "WRK_DONE": str(done),
    }
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    seen, changed = -1, time.monotonic()
    while proc.poll() is None:
        time.sleep(0.5)
        if callable(during):
            during(time.monotonic() - started)
        answered = len(list(done.iterdir())) >= 2
        try:
            marked = voted_count(db=db, slug=slug, port=pg_port)[1]
        except subprocess.CalledProcessError:  # the database is down (a fault drill)
            continue
        if marked != seen:
            seen, changed = marked, time.monotonic()
        if (
            answered
            or (expect is not None and marked >= expect)
            or time.monotonic() - changed > stall_seconds
            or time.monotonic() - started > budget_seconds
        ):
            time.sleep(1)  # the last answers reach wrk
            proc.send_signal(signal.SIGINT)
            break
    out, err = proc.communicate(timeout=60)
    for line in out.splitlines():
        if line.startswith("WRKJSON "):
            return json.loads(line[len("WRKJSON ") :])
    raise RuntimeError(f"wrk gave no result: {out}\n{err}")
