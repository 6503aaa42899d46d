# SecureBase: `make run` to try it, `make test` to check it. Each target bootstraps .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app practice
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint bench setup db clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)
	$(BIN)/python -m practice.instance_setup instance

db: setup
	$(FLASK) db upgrade
	$(FLASK) seed-demo --quiet

run: db
	@echo
	@echo "SecureBase is starting at http://127.0.0.1:$(PORT)/login"
	@echo
	@cat instance/demo-logins.txt 2>/dev/null || true
	@echo "Print a demo account's current two-factor code: $(FLASK) demo-code EMAIL"
	@echo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

PYTEST := $(BIN)/python -m pytest -p no:cacheprovider -n 2 --cov=practice

# The whole suite on SQLite; then, when TEST_DATABASE_URL is set, again on PostgreSQL
# with the schema built by the migrations. Coverage adds up over both runs.
test: setup
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== SecureBase tests on SQLite ==" && \
	  $(PYTEST) --cov-report= $(PYTEST_ARGS) && \
	  echo "== SecureBase tests on PostgreSQL ==" && \
	  SB_TEST_DB=postgres $(PYTEST) --cov-append --cov-report=term:skip-covered $(PYTEST_ARGS); \
	else \
	  $(PYTEST) --cov-report=term:skip-covered $(PYTEST_ARGS); \
	fi

test-fast: setup
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 -m "not browser" $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check practice tests migrations bench

# Every page under load on gunicorn beside the bare limit of the stack, at S and L, then the couple
# page on PostgreSQL at 4, 16 and 32 connections (BENCH_DATABASE_URL, default the local server;
# skipped if unreachable). Writes bench/results.json. BENCH_ARGS="--db URL" runs S and L on PostgreSQL.
bench: setup
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .coverage
