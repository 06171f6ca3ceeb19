# Tingsu: `make run` starts everything, `make test` runs the whole suite.
# Needs python3 (3.11+) with venv, npm, and for the PostgreSQL pass a server on 127.0.0.1:5432.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
PG_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=
RUN_ARGS ?=

# Exits 0 if PostgreSQL at $$DATABASE_URL answers (checked against its `postgres` database,
# since the test database is created by the test run).
define PG_PROBE
import os, sys, psycopg
from psycopg.conninfo import make_conninfo
try:
    psycopg.connect(make_conninfo(os.environ["DATABASE_URL"], dbname="postgres"), connect_timeout=3).close()
except psycopg.Error as exc:
    print(f"PostgreSQL is not reachable: {exc}".strip(), file=sys.stderr)
    sys.exit(1)
endef
export PG_PROBE

.NOTPARALLEL:
.PHONY: help install run test test-sqlite test-postgres lint fmt migrate demo clean messages

help:
	@echo "make run    install, migrate, load the demo if the database is empty, start Tingsu"
	@echo "make test   install, lint, run the suite on SQLite, then on PostgreSQL"
	@echo "make lint | fmt | migrate | demo | messages | clean"

$(VENV_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

$(NODE_STAMP): package.json $(wildcard package-lock.json)
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; \
	else npm install --no-audit --no-fund; fi
	touch $@

install: $(VENV_STAMP) $(NODE_STAMP)

run: install
	$(BIN)/tingsu migrate --noinput
	$(BIN)/tingsu demo --if-empty
	exec $(BIN)/tingsu run $(RUN_ARGS)

test: install lint test-sqlite test-postgres

# SQLite pass: everything but the PostgreSQL-only tests (marker `postgres`); browser tests
# included (Playwright drives /usr/bin/chromium).
test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not postgres" $(PYTEST_ARGS) tingsu tests

# PostgreSQL pass: everything except the browser tests, which exercise the pages rather
# than the database and already ran on SQLite, and the SQLite-only tests (marker `sqlite`). Required under CI=true, else only when a
# local server answers.
test-postgres: install
	@export DATABASE_URL="$(PG_DATABASE_URL)"; \
	if $(BIN)/python -c "$$PG_PROBE"; then \
		echo "PostgreSQL pass: $$DATABASE_URL"; \
		$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser and not sqlite" $(PYTEST_ARGS) tingsu tests; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "CI=true needs PostgreSQL at $$DATABASE_URL; failing." >&2; exit 1; \
	else \
		echo "Skipped the PostgreSQL pass: no server at $$DATABASE_URL (CI=true makes it required)."; \
	fi

lint: $(VENV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(VENV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: install
	$(BIN)/tingsu migrate --noinput

demo: migrate
	$(BIN)/tingsu demo

# Collects new source strings into the zh_Hans .po file, then compiles the .mo (both committed).
MESSAGES_IGNORE := --ignore=.venv --ignore=node_modules --ignore=var --ignore=test-results --ignore=build --ignore=*.egg-info
messages: $(VENV_STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans $(MESSAGES_IGNORE) --no-obsolete
	$(BIN)/python manage.py compilemessages $(MESSAGES_IGNORE)

# Removes what `make` installs and caches; keeps var/ (your database and uploads).
clean:
	rm -rf $(VENV) node_modules test-results .pytest_cache .ruff_cache tingsu.egg-info build
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
