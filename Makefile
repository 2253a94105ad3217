# Learnstream: `make run` to try it, `make test` to test it. Nothing else is needed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app webapp
PORT ?= 5000
# Two test processes, a test file each; each has its own SQLite files or PostgreSQL database, Redis
# database, media and Celery worker (tests/support/isolation.py).
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: run test setup system browser lint format clean bench

$(BIN)/activate:
	@scripts/ensure-system.sh venv:python3-venv
	$(PYTHON) -m venv $(VENV)

$(VENV)/.deps: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

node_modules/.deps: package.json package-lock.json
	@scripts/ensure-system.sh npm:npm
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

system:
	@scripts/ensure-system.sh ffmpeg:ffmpeg ffprobe:ffmpeg

browser:
	@scripts/ensure-system.sh chromium:chromium

setup: system $(VENV)/.deps node_modules/.deps

run: setup
	@$(FLASK) db upgrade
	@$(FLASK) seed
	@PORT=$(PORT) $(FLASK) serve

test: setup browser
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.deps
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

format: $(VENV)/.deps
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python -m bench.transcode

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .ruff_cache
