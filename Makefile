# Gridwork: `make run` sets everything up and serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' && { echo $$p; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install install-test test lint serve demo clean bench browser-deps

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Gridwork needs Python 3.11 or newer on the PATH." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[postgres]'
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/gridwork migrate --noinput
	$(BIN)/gridwork demo --if-empty
	$(BIN)/gridwork demo_logins
	$(BIN)/gridwork run_all --host $(HOST) --port $(PORT)

demo: install
	$(BIN)/gridwork migrate --noinput
	$(BIN)/gridwork demo $(DEMO_ARGS)

lint: install-test
	$(BIN)/ruff check gridwork bench
	$(BIN)/ruff format --check gridwork bench

# The browser suite drives Debian's chromium (never a downloaded browser) and needs CJK fonts for the
# Chinese pages: installed here where missing, with apt-get as root or through sudo. Where neither
# can install them, BROWSER_TESTS=0 skips the browser tests (CI never sets it, so CI fails instead).
BROWSER_TESTS ?= 1
export BROWSER_TESTS
BROWSER_PACKAGES := chromium fonts-noto-cjk
browser-deps:
	@if [ "$(BROWSER_TESTS)" = "0" ]; then echo "BROWSER_TESTS=0: the browser tests are skipped."; \
	elif [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES); \
	elif command -v sudo >/dev/null && command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES); \
	else echo "The browser tests need Debian's $(BROWSER_PACKAGES) (apt-get install $(BROWSER_PACKAGES))," \
		"which cannot be installed here: run as root, give sudo, or skip them with BROWSER_TESTS=0." >&2; exit 1; fi

test: install-test browser-deps
	$(BIN)/ruff check gridwork bench
	$(BIN)/gridwork makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)
	@echo "Browser suite screenshots: $${BROWSER_ARTEFACTS:-$${GRIDWORK_VAR_DIR:-var}/browser}/screens"

# The benchmark: builds the demo district (default 1,000,000 people) on SQLite and, beside it, on the
# PostgreSQL server of BENCH_POSTGRES_URL (left out with a note when none answers; empty to skip),
# and prints the table. e.g. make bench BENCH_ARGS="--scale 0.02" BENCH_POSTGRES_URL=
BENCH_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/gw_bench
export BENCH_POSTGRES_URL
$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[bench]'
	@touch $@

bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
