# Gridwork: `make run` sets everything up and serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' && { echo $$p; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install install-test test lint serve demo clean bench

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

test: install-test
	$(BIN)/ruff check gridwork bench
	$(BIN)/gridwork makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

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
