# The whole set-up is two commands on a fresh clone of a Debian machine:
#   make run    the store on http://127.0.0.1:8000/ with demo data (SQLite, localstripe)
#   make test   unit + browser tests on SQLite, then integration tests on throwaway
#               PostgreSQL + Redis servers with a real Celery worker
# Each installs the Debian packages it needs first (deploy/system-packages.sh), and the
# Python packages into .venv.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The stamp lives inside the venv and holds a hash of the lock files: a new venv or a changed
# lock file reinstalls, nothing else does (a checkout or pull that only touches their dates
# compares the hash and skips pip).
DEPS_STAMP := $(VENV)/.requirements-installed
# Remembers which database load_demo filled (its DATABASE_URL), so `make run` loads it once.
DEMO_STAMP := var/demo-loaded
# Override on the command line if the ports are taken: make run PORT=8001 STRIPE_PORT=8421
HOST := 127.0.0.1
PORT := 8000
STRIPE_PORT := 8420
# Email links (password reset, orders, campaigns) open this host; migrate writes it into
# Django's Site record. A deployment sets its public URL instead.
export BASE_URL ?= http://$(HOST):$(PORT)
# pytest-timeout: a hung browser or worker must fail the run, not eat CI's 90 minutes. It counts
# a test's fixtures too, and the first test of a session pays for migrating the test database,
# starting the worker and the live store: on a busy machine that alone can take minutes.
PYTEST_FLAGS ?= --timeout=900
# `python -m pytest` puts the project on sys.path, which `-p tests.plugins.services` needs.
PYTEST := $(BIN)/python -m pytest

# The demo staff accounts live in shop/demo/constants.py (load_demo creates them from there);
# load_demo prints the same lines (shop.demo.selectors.demo_logins_lines).
define PRINT_DEMO_LOGINS
import django
django.setup()
from shop.demo.selectors import demo_logins_lines
print("  Demo logins (demo data only):")
for line in demo_logins_lines():
    print("  " + line)
endef
export PRINT_DEMO_LOGINS

.PHONY: help deps system-packages bench-deps translations run prod demo test test-unit test-integration lint format messages lock

help:
	@echo "make run       start the store, localstripe, the scheduled jobs and print the demo logins (Ctrl-C stops all)"
	@echo "make test      unit + browser tests (SQLite), then integration tests (PostgreSQL, Redis, Celery)"
	@echo "make prod      production stack on loopback: PostgreSQL, Redis, gunicorn, Celery worker + beat"
	@echo "make lint      ruff check + ruff format --check"
	@echo "make messages  update and compile the zh_Hans translations"
	@echo "make demo      (re)load the demo data into the database"
	@echo "make lock      re-pin requirements/*.txt from requirements/*.in"
	@echo "make bench-deps  what the scripts in bench/ need (wrk, PostgreSQL, Redis, py-spy)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(DEPS_STAMP): requirements/dev.txt requirements/base.txt | $(BIN)/python
	@hash="$$(cat requirements/base.txt requirements/dev.txt | sha256sum | cut -d' ' -f1)"; \
	if [ "$$(cat $@ 2>/dev/null)" = "$$hash" ]; then touch $@; else \
		echo "$(BIN)/python -m pip install -r requirements/dev.txt"; \
		$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements/dev.txt \
			&& echo "$$hash" > $@; \
	fi

deps: $(DEPS_STAMP)

# The Debian packages the goals on the command line need: gettext compiles the zh_Hans
# catalogue (make run, prod, test, messages); make prod and the integration tests start
# PostgreSQL and Redis; the browser tests drive Chromium; the benches (bench/) drive the stack
# with wrk. deploy/system-packages.sh installs the missing ones (apt-get, through sudo when not
# root) and only asks dpkg when none is.
SYSTEM_PACKAGES := gettext
ifneq ($(filter prod test test-integration bench-deps,$(MAKECMDGOALS)),)
SYSTEM_PACKAGES += postgresql redis-server
endif
ifneq ($(filter bench-deps,$(MAKECMDGOALS)),)
SYSTEM_PACKAGES += wrk
endif
ifneq ($(filter test test-unit,$(MAKECMDGOALS)),)
SYSTEM_PACKAGES += chromium chromium-driver
endif

system-packages:
	@deploy/system-packages.sh $(SYSTEM_PACKAGES)

# py-spy (bench/profile_page.py) comes with the Python packages (requirements/dev.in).
bench-deps: deps system-packages

# makemessages and compilemessages walk the whole tree: keep them out of the venv (Oscar and
# Wagtail ship their own catalogues) and out of generated files.
MESSAGES_IGNORE := --ignore .venv --ignore var --ignore tests --ignore node_modules

# The .mo files are built from the committed .po files (compilemessages skips an up-to-date
# one), so a fresh clone shows the zh_Hans pages translated.
translations: deps system-packages
	@$(BIN)/python manage.py compilemessages --locale zh_Hans $(MESSAGES_IGNORE) >/dev/null

# make run passes LOAD_DEMO_FLAGS=--no-logins: it prints the logins itself, after the URLs.
demo: deps
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo $(LOAD_DEMO_FLAGS)
	@mkdir -p var && echo "$${DATABASE_URL:-db.sqlite3}" > $(DEMO_STAMP)

run: translations
	@# A deleted db.sqlite3 means a new, empty database: load the demo into it again.
	@[ -n "$${DATABASE_URL:-}" ] || [ -f db.sqlite3 ] || rm -f $(DEMO_STAMP)
	@# migrate once: the demo target migrates before it loads.
	@if [ "$$(cat $(DEMO_STAMP) 2>/dev/null)" != "$${DATABASE_URL:-db.sqlite3}" ]; then \
		$(MAKE) --no-print-directory demo LOAD_DEMO_FLAGS=--no-logins; \
	else \
		echo "$(BIN)/python manage.py migrate --noinput"; \
		$(BIN)/python manage.py migrate --noinput; \
	fi
	@mkdir -p var; \
	$(BIN)/python -m deploy.localstripe --port $(STRIPE_PORT) --state-file var/localstripe.pickle \
		--webhook-url http://$(HOST):$(PORT)/checkout/stripe/webhook/ \
		--webhook-secret "$${STRIPE_WEBHOOK_SECRET:-whsec_localstripe}" \
		> var/localstripe.log 2>&1 & stripe_pid=$$!; \
	STRIPE_API_BASE="$${STRIPE_API_BASE:-http://$(HOST):$(STRIPE_PORT)}" \
		$(BIN)/celery -A shop beat --loglevel INFO > var/beat.log 2>&1 & beat_pid=$$!; \
	trap 'kill $$stripe_pid $$beat_pid 2>/dev/null; wait $$stripe_pid $$beat_pid 2>/dev/null' EXIT; \
	trap 'exit 0' INT TERM; \
	echo; \
	echo "  Store      http://$(HOST):$(PORT)/"; \
	echo "  Dashboard  http://$(HOST):$(PORT)/dashboard/"; \
	echo "  CMS        http://$(HOST):$(PORT)/cms/"; \
	echo "  Schedule   Celery beat runs the scheduled jobs in-process (log in var/beat.log)"; \
	echo "  Stripe     http://$(HOST):$(STRIPE_PORT)/ (localstripe, log in var/localstripe.log; its events go to /checkout/stripe/webhook/)"; \
	echo; \
	DJANGO_SETTINGS_MODULE=shop.settings $(BIN)/python -c "$$PRINT_DEMO_LOGINS"; \
	echo; \
	STRIPE_API_BASE="$${STRIPE_API_BASE:-http://$(HOST):$(STRIPE_PORT)}" \
		$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The production stack on one machine (deploy/prod.py): data in var/prod/, DEBUG=False, static files
# from WhiteNoise. Override the ports like make run's: make prod PROD_PORT=8081
PROD_PORT := 8080
PROD_POSTGRES_PORT := 55432
PROD_REDIS_PORT := 56379
PROD_STRIPE_PORT := 8430
# make prod PROD_DEMO=no: start without loading the demo data.
PROD_DEMO := yes
prod: translations
	$(BIN)/python -m deploy.prod --host $(HOST) --port $(PROD_PORT) --postgres-port $(PROD_POSTGRES_PORT) \
		--redis-port $(PROD_REDIS_PORT) --stripe-port $(PROD_STRIPE_PORT) $(if $(filter no,$(PROD_DEMO)),--no-demo)

# Both sessions always run; the target fails if either did. Exit code 5 ("no tests collected")
# is not a failure: a session may legitimately select nothing while the suite is young.
test: translations lint
	@mkdir -p var/test-results; status=0; \
	$(PYTEST) $(PYTEST_FLAGS) -m "not integration" || { rc=$$?; [ $$rc -eq 5 ] || status=$$rc; }; \
	$(PYTEST) $(PYTEST_FLAGS) -m integration -p tests.plugins.services || { rc=$$?; [ $$rc -eq 5 ] || status=$$rc; }; \
	exit $$status

test-unit: translations
	$(PYTEST) $(PYTEST_FLAGS) -m "not integration"

test-integration: translations
	$(PYTEST) $(PYTEST_FLAGS) -m integration -p tests.plugins.services

lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: deps system-packages
	$(BIN)/python manage.py makemessages --locale zh_Hans $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages --locale zh_Hans $(MESSAGES_IGNORE)

PIP_COMPILE := ../$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links
lock: deps
	cd requirements && $(PIP_COMPILE) --output-file base.txt base.in
	cd requirements && $(PIP_COMPILE) --output-file dev.txt dev.in
