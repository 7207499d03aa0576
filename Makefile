# Roundtable: `make run` serves, `make test` runs every test. Both set up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := static/node_modules/.installed
BENCH_NODE_STAMP := bench/reference/node_modules/.installed

.PHONY: setup deps chromium run test lint format bench migrate migrations clean help

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml clients/python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]' -e clients/python
	@touch $(STAMP)

# The browser libraries come from the npm registry; without npm the API still serves.
$(NODE_STAMP): static/package.json static/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd static && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else \
		echo "npm not found: skipping the browser libraries (the web app and /api/docs need them)"; \
	fi

# The benchmark's reference server and load generator are Node programs, from the same
# registry; without npm, make bench says so and stops.
$(BENCH_NODE_STAMP): bench/reference/package.json bench/reference/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd bench/reference && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else \
		echo "npm not found: skipping the benchmark's Node reference and load generator (make bench needs them)"; \
	fi

deps: $(STAMP) $(NODE_STAMP) $(BENCH_NODE_STAMP)

# The browser tests drive Debian's Chromium; as root with apt-get it is installed here,
# otherwise they are skipped. Never an error: everything else works without it.
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Chromium for the browser tests"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
			|| echo "Chromium could not be installed: the browser tests (tests/e2e) will be skipped"; \
	else \
		echo "Chromium not found (apt-get install chromium as root): the browser tests (tests/e2e) will be skipped"; \
	fi

setup: deps chromium  ## install Python and JavaScript dependencies, and Chromium for the browser tests

run: deps  ## set up, migrate and serve on http://127.0.0.1:8000 (SQLite, in-process pub/sub)
	$(BIN)/python -m server migrate
	$(BIN)/python -m server

test: setup  ## set up and run every test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: deps  ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: deps  ## apply ruff's formatting and fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# QUICK=1 runs every server and scenario briefly (under 3 minutes); the full run takes
# about a quarter of an hour; REPEAT=N runs every server N times in turn and reports each
# scenario's median run. bench/README.md says what it measures.
bench: deps  ## run the benchmarks and print the report (QUICK=1 short run, REPEAT=N passes)
	$(BIN)/python -m bench $(if $(QUICK),--quick,) $(if $(REPEAT),--repeat $(REPEAT),)

migrate: deps  ## apply database migrations
	$(BIN)/python -m server migrate

migrations: deps  ## write a migration for model changes
	$(BIN)/python -m tortoise -c server.db.TORTOISE_ORM makemigrations

clean:  ## remove the virtualenv, node_modules and local data
	rm -rf $(VENV) static/node_modules bench/reference/node_modules data
