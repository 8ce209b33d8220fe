#!/usr/bin/env bash
# Serve Charter as in production, on one machine: gunicorn (config/gunicorn.conf.py), a
# Celery worker and Celery beat, under config.settings.production, on the local PostgreSQL
# and Redis, static files by WhiteNoise. Migrates and collects static files first.
# Ctrl-C or TERM stops all three; if one of them dies, the others are stopped too.
#
# `make serve` runs this; so do CI's serve check (.ci/serve-check) and benchmarks that
# want the production stack. On a real server, systemd runs the same three commands
# (deploy/systemd/).
#
# Needs what production needs (README, "Configuration"): SECRET_KEY, ALLOWED_HOSTS,
# STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, SIGNING_KEY_PEM or SIGNING_KEY_PEM_FILE, BALLOT_KEK.
# Local defaults when unset: DATABASE_URL=postgres://postgres@127.0.0.1:5432/charter,
# CELERY_BROKER_URL=redis://127.0.0.1:6379/0, CACHE_URL=redis://127.0.0.1:6379/1,
# GUNICORN_BIND=127.0.0.1:$PORT (PORT=8000). WORKER_CONCURRENCY sets the Celery worker's
# processes (default: one per core). Logs: JSON lines on stdout and stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-.venv/bin/python}
export DJANGO_SETTINGS_MODULE=config.settings.production
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/charter}
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}
export CACHE_URL=${CACHE_URL:-redis://127.0.0.1:6379/1}
export GUNICORN_BIND=${GUNICORN_BIND:-127.0.0.1:${PORT:-8000}}
export PYTHONUNBUFFERED=1
mkdir -p var

"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput -v 0

worker_args=(--loglevel=INFO)
[ -n "${WORKER_CONCURRENCY:-}" ] && worker_args+=(--concurrency="$WORKER_CONCURRENCY")

pids=()
stop() {
  trap - INT TERM EXIT
  [ ${#pids[@]} -gt 0 ] && kill -TERM "${pids[@]}" 2>/dev/null || true
  wait
}
trap stop INT TERM EXIT

"$PY" -m celery -A config worker "${worker_args[@]}" &
pids+=($!)
"$PY" -m celery -A config beat --loglevel=INFO --schedule var/celerybeat-schedule-serve &
pids+=($!)
"$PY" -m gunicorn -c config/gunicorn.conf.py config.wsgi &
pids+=($!)
echo "serve: gunicorn on http://$GUNICORN_BIND/, a Celery worker and beat (Ctrl-C stops all)" >&2

# The first of the three to exit ends the others (the EXIT trap), with its status.
wait -n
