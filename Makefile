# Two commands: `make run` and `make test`. Everything else here serves those two.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
SCREENSHOTS ?= /tmp/ruhu-screenshots

.PHONY: run test install test-deps catalogs translations postgres lint test-sqlite test-postgresql test-js screenshots \
	bench-roster bench-pwa bench-lighthouse

## run: install, migrate the SQLite database, seed a demo county if empty, serve (RUHU_BIND, default 127.0.0.1:8000)
## with the background jobs worker beside it (gunicorn.conf.py starts and stops it)
run: install catalogs
	$(FLASK) db upgrade
	$(FLASK) demo seed --if-empty
	@echo "Starting Ruhu and its jobs worker (RUHU_BIND=$${RUHU_BIND:-127.0.0.1:8000}); it names its address once ready. Ctrl-C stops both."
	RUHU_RUN_JOBS_WORKER=1 $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

## test: lint, then the whole suite on SQLite and on PostgreSQL, plus the client modules under node
test: test-deps catalogs postgres lint test-sqlite test-postgresql test-js

## lint: ruff's checks as configured in pyproject.toml (CI fails on any finding), and no
## merge-conflict markers left in any tracked file (a merged doc once kept them)
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	@if git grep -nE '^(<{7}|>{7}) ' -- . ; then echo "merge-conflict markers above"; exit 1; fi

test-sqlite:
	RUHU_TEST_DATABASE=sqlite $(BIN)/pytest
test-postgresql:
	RUHU_TEST_DATABASE=postgresql RUHU_TEST_PG_URL=$(PG_URL) $(BIN)/pytest
test-js:
	node --test tests/js/

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

install: $(VENV)/.installed

$(VENV)/.installed-test: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed

## test-deps: Python test packages, Debian's Chromium for the browser tests, Node for client tests
test-deps: $(VENV)/.installed-test
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }
	@command -v node >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs; }

## postgres: make sure the local PostgreSQL server answers (the tests make their own database)
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || $(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; echo "PostgreSQL is not answering on 127.0.0.1:5432"; exit 1

## catalogs: compile the translation catalogs (the .mo files are build output)
catalogs: install
	$(BIN)/pybabel compile -d app/translations

## translations: re-extract every message and update the catalogs (then translate the new ones)
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ --no-location --sort-output -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete

## screenshots: every page × role × phone/desktop × zh/en of a seeded demo county, into $(SCREENSHOTS)
screenshots: test-deps catalogs
	@fc-list :lang=zh | grep -q . || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq fonts-noto-cjk; }
	$(BIN)/python tools/screenshots.py --out $(SCREENSHOTS)

# The benchmarks (docs/benchmarks.md); the roster one writes its XLSX with openpyxl, a test package.
bench-roster: $(VENV)/.installed-test
	$(BIN)/python bench/roster_import.py
bench-pwa: test-deps catalogs
	$(BIN)/python bench/pwa.py
bench-lighthouse: test-deps catalogs
	$(BIN)/python bench/lighthouse.py
