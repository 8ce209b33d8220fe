# Charter: `make run` serves the demo foundation; `make test` runs the suite.
# Both work on a fresh clone with only Python 3.11 installed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
FAKE_STRIPE_PORT ?= 12111
export DJANGO_SETTINGS_MODULE ?= config.settings.dev
# The fake Stripe and the app must agree on each other's addresses.
export FAKE_STRIPE_URL ?= http://127.0.0.1:$(FAKE_STRIPE_PORT)
export SITE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test lint format worker beat jobs migrate demo bench faults faults-short browser check upgrade-test clean
.PHONY: serve backup restore messages screenshots

# A venv with the runtime dependencies (requirements.txt), refreshed when it changes.
$(VENV)/.runtime: requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

# The same venv plus test and tooling dependencies.
$(VENV)/.dev: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

migrate: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# The embedded default: SQLite, console email, Celery worker + beat on the filesystem
# transport, a fake Stripe on loopback when no STRIPE_SECRET_KEY is set. Ctrl-C stops all.
run: demo
	@mkdir -p var/log
	@$(PY) manage.py collectstatic --noinput -v0
	@$(PY) manage.py demo_logins
	@trap 'kill 0' INT TERM EXIT; \
	  $(PY) -m celery -A config worker --beat --pool=solo --loglevel=WARNING \
	      --schedule var/celerybeat-schedule >var/log/worker.log 2>&1 & \
	  if [ -z "$$STRIPE_SECRET_KEY" ]; then \
	    PYTHONUNBUFFERED=1 $(PY) manage.py run_fake_stripe --port $(FAKE_STRIPE_PORT) \
	        --webhook-url http://127.0.0.1:$(PORT)/billing/stripe/webhook/ >var/log/fake-stripe.log 2>&1 & \
	    fake=$$!; \
	    for _ in $$(seq 1 30); do grep -q "^Fake Stripe on" var/log/fake-stripe.log 2>/dev/null && break; \
	      kill -0 $$fake 2>/dev/null || { echo "WARNING: the fake Stripe did not start (port $(FAKE_STRIPE_PORT) in use?" \
	        "see var/log/fake-stripe.log); run again with FAKE_STRIPE_PORT=another port."; break; }; sleep 0.5; done; \
	  fi; \
	  echo "Background jobs: logs in var/log/. Serving on http://127.0.0.1:$(PORT)/"; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

# Separate processes for a real broker (CELERY_BROKER_URL=redis://...).
worker: $(VENV)/.runtime
	$(PY) -m celery -A config worker --loglevel=INFO

beat: $(VENV)/.runtime
	$(PY) -m celery -A config beat --loglevel=INFO --schedule var/celerybeat-schedule

# The whole suite except browser journeys and benchmarks; DATABASE_URL picks the database.
# In parallel (pytest-xdist, one test database per worker). --reuse-db keeps PostgreSQL's
# test databases between runs and only applies new migrations; after editing or removing a
# migration, or switching to a branch with other migrations, run once with
# `make test PYTEST_ARGS=--create-db` (CI always does). SQLite tests run in memory anyway.
TEST_WORKERS ?= auto
test: $(VENV)/.dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -m "not browser" \
	    -n $(TEST_WORKERS) --reuse-db $(PYTEST_ARGS)

browser: $(VENV)/.dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -m browser $(PYTEST_ARGS)

# ruff (lint, format, banned APIs), import-linter (layers; elections.counting stays pure),
# mypy on the whole project. The same checks run as pre-commit hooks (.pre-commit-config.yaml).
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo --no-cache
	$(VENV)/bin/mypy .

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Extract the strings of every offered language into locale/*/django.po (needs GNU gettext,
# a translator's tool) and compile them with Babel; the .mo files are committed, so running
# the site never needs gettext. `manage.py catalogues check` (a test) keeps them in sync.
# Key pages of the demo foundation as PNGs in docs/screenshots/ (shown in the README):
# a throw-away SQLite demo, runserver, Debian's chromium.
screenshots: $(VENV)/.dev
	$(PY) docs/make_screenshots.py

messages: $(VENV)/.dev
	$(PY) manage.py catalogues update

check: $(VENV)/.dev
	$(PY) manage.py makemigrations --check --dry-run

# Migrate a database made by the code before the layers change, then check the chain and
# pages (.ci/upgrade-test; needs PostgreSQL on 127.0.0.1:5432).
upgrade-test: $(VENV)/.dev
	.ci/upgrade-test

# Issue 16's table (bench/run.py): its own gunicorn, Celery worker, Redis (port 16390) and
# PostgreSQL database charter_bench on the local cluster, 100,000 members loaded in bulk,
# load from wrk; prints the table and writes bench/results.md. BENCH_ARGS=--quick: small.
bench: $(VENV)/.dev
	$(PY) bench/run.py $(BENCH_ARGS)

# Fault drills (bench/faults.py): worker SIGKILL and PostgreSQL restart during casting (on a
# cluster of its own, pg_createcluster on port 5499, dropped at the end), a Stripe webhook
# storm, Redis down. faults-short (CI): the worker kill and the webhook storm, main cluster.
faults: $(VENV)/.dev
	$(PY) bench/faults.py

faults-short: $(VENV)/.dev
	$(PY) bench/faults.py --short

clean:
	rm -rf var/broker var/celerybeat-schedule* var/log

# --- Running it for real: production serving, backups (README, "Deployment") ---------------
# gunicorn + Celery worker + beat under production settings on the local PostgreSQL and Redis
# (deploy/serve.sh; needs the production environment: SECRET_KEY, ALLOWED_HOSTS, Stripe, key).
serve: $(VENV)/.runtime
	PORT=$(PORT) deploy/serve.sh

# One dated archive in BACKUP_DIR (var/backups): pg_dump + uploads + SHA-256 manifest,
# encrypted when BACKUP_KEY is set. `make restore FILE=…` restores into an EMPTY database.
backup: $(VENV)/.runtime
	$(PY) manage.py backup

restore: $(VENV)/.runtime
	@test -n "$(FILE)" || { echo "usage: make restore FILE=path/to/charter-backup-….tar[.enc]"; exit 2; }
	$(PY) manage.py restore "$(FILE)"
	$(PY) manage.py verify_audit_chain
