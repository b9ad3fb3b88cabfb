# Two commands on a fresh machine:
#   make run    — create .venv, install, start the app (needs .env or the environment)
#   make test   — create .venv, install, install Debian's chromium, nginx and postgresql if missing, lint,
#                 run every test on SQLite, then the app's tests again on PostgreSQL
#   make lint   — ruff and mypy (pyproject.toml)
# Admin commands (README › Admin commands), from the repository root:
#   make check          — validate every setting, offline
#   make check-online   — also reach Slack, Video and Voice once
#   make manifest       — manifest.yml with SERVER_URL filled in
#   make sweep          — one sweep (for cron)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint setup setup-dev bench check check-online manifest sweep

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev

run: setup
	$(BIN)/python app.py

# ruff and mypy with the project's pyproject.toml (named, so no user or parent config can stand in).
lint: setup-dev
	$(BIN)/ruff check --config pyproject.toml .
	$(BIN)/mypy --config-file pyproject.toml

# Twice: every test on SQLite (tests/meetbridge/storage runs both back-ends), then the app's tests
# again on a throwaway PostgreSQL, leaving out what never touches the app's database or always
# brings its own SQLite file (the nginx test).
PG_PASS_SKIPS := --ignore=tests/meetbridge/storage --ignore=tests/security --ignore=tests/fakes \
	--ignore=tests/test_lint.py --ignore=tests/test_docker.py --ignore=tests/test_manifest.py \
	--ignore=tests/server/test_behind_nginx.py

test: lint
	bash scripts/ensure-test-tools
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest --backend=postgresql $(PG_PASS_SKIPS)

bench: setup-dev
	$(BIN)/python -m bench.run_all

check: setup
	$(BIN)/python cli.py check

check-online: setup
	$(BIN)/python cli.py check --online

manifest: setup
	$(BIN)/python cli.py manifest

sweep: setup
	$(BIN)/python cli.py sweep
