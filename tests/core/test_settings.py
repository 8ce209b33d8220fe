"""Settings come from the environment; production refuses to start without its secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _signing_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )


PRODUCTION_ENV = {
    "SIGNING_KEY_PEM": _signing_key_pem(),
    "SECRET_KEY": "k3y-for-the-deploy-check-only-" + "aZ9bY8cX7dW6eV5fU4gT3hS2iR1jQ0",
    "ALLOWED_HOSTS": "charter.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/charter",
    "STRIPE_SECRET_KEY": "sk_test_for_the_deploy_check",
    "STRIPE_WEBHOOK_SECRET": "whsec_for_the_deploy_check",
    "BALLOT_KEK": "ballot-kek-for-the-deploy-check-only-0123456789",
}


def _python(code: str, settings: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {*PRODUCTION_ENV, "CELERY_BROKER_URL", "DEBUG", "STRIPE_API_BASE"}
    }
    clean.update(env, DJANGO_SETTINGS_MODULE=settings, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


SHOW = "import django;django.setup();from django.conf import settings as s;print(s.DATABASES['default']['ENGINE']);print(s.CELERY_BROKER_URL);print(s.EMAIL_BACKEND)"


def test_embedded_default_is_sqlite_console_mail_and_filesystem_broker():
    out = _python(SHOW, "config.settings.dev")
    assert out.returncode == 0, out.stderr
    engine, broker, email = out.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem://"
    assert email == "django.core.mail.backends.console.EmailBackend"


def test_database_and_broker_urls_switch_to_postgresql_and_redis():
    out = _python(
        SHOW,
        "config.settings.dev",
        DATABASE_URL="postgres://u:p@db.internal:5432/charter",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    assert out.returncode == 0, out.stderr
    engine, broker, _ = out.stdout.split()
    assert engine == "core.db.postgresql"  # Django's, with a cheaper health check
    assert broker == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize("missing", sorted(PRODUCTION_ENV))
def test_production_refuses_to_start_without_each_secret(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    out = _python("import django;django.setup()", "config.settings.production", **env)
    assert out.returncode != 0
    assert missing in out.stderr or (missing == "SIGNING_KEY_PEM" and "signing key" in out.stderr)


@pytest.mark.parametrize("value", ["dev-only-insecure-ballot-kek-never-use-in-production", "short"])
def test_production_refuses_a_development_or_short_ballot_key_encryption_key(value):
    env = {**PRODUCTION_ENV, "BALLOT_KEK": value}
    out = _python("import django;django.setup()", "config.settings.production", **env)
    assert out.returncode != 0 and "BALLOT_KEK" in out.stderr


def test_production_passes_the_deploy_check():
    env = dict(PRODUCTION_ENV)
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout
