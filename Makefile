# Roundtable: `make run` serves, `make test` runs every test. Both set up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := static/node_modules/.installed

.PHONY: setup run test lint format bench migrate migrations clean help

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# The browser libraries come from the npm registry; without npm the API still serves.
$(NODE_STAMP): static/package.json static/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd static && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else \
		echo "npm not found: skipping the browser libraries (the web app and /api/docs need them)"; \
	fi

setup: $(STAMP) $(NODE_STAMP)  ## install Python and JavaScript dependencies

run: setup  ## set up, migrate and serve on http://127.0.0.1:8000 (SQLite, in-process pub/sub)
	$(BIN)/python -m server migrate
	$(BIN)/python -m server

test: setup  ## set up and run every test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup  ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup  ## apply ruff's formatting and fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup  ## run the benchmarks and print the report
	$(BIN)/python -m bench

migrate: setup  ## apply database migrations
	$(BIN)/python -m server migrate

migrations: setup  ## write a migration for model changes
	$(BIN)/python -m tortoise -c server.db.TORTOISE_ORM makemigrations

clean:  ## remove the virtualenv, node_modules and local data
	rm -rf $(VENV) static/node_modules data
