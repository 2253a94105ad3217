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

.PHONY: run test setup setup-run system browser lint audit pins format clean bench translations

$(BIN)/activate:
	@scripts/ensure-system.sh venv:python3-venv
	$(PYTHON) -m venv $(VENV)

# What running needs (`make run`): requirements.txt only.
$(VENV)/.deps-run: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

# The development tools too (`make test`, `make lint`): requirements-dev.txt includes
# requirements.txt, so running is set up as well.
$(VENV)/.deps: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.deps-run

node_modules/.deps: package.json package-lock.json
	@scripts/ensure-system.sh npm:npm
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

system:
	@scripts/ensure-system.sh ffmpeg:ffmpeg ffprobe:ffmpeg espeak-ng:espeak-ng \
	  /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:fonts-dejavu-core

browser:
	@scripts/ensure-system.sh chromium:chromium

setup: system $(VENV)/.deps node_modules/.deps

# The npm packages are served by the site (hls.js, Uppy, SortableJS, Swagger UI).
setup-run: system $(VENV)/.deps-run node_modules/.deps

# Readable log lines here; JSON (the default) everywhere else: `LOG_FORMAT=json make run`.
# Quiet here (warnings and errors); `LOG_LEVEL=INFO make run` shows requests, tasks and beat.
run: export LOG_FORMAT ?= console
run: export LOG_LEVEL ?= WARNING
run: setup-run
	@$(FLASK) db upgrade
	@$(FLASK) seed
	@PORT=$(PORT) $(FLASK) serve

test: setup browser
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.deps audit
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

# Known vulnerabilities in the pinned Python and npm packages fail the build
# (scripts/audit.py: ignores need a reason there; AUDIT_STRICT=1 also fails when the
# advisory databases cannot be reached).
audit: $(VENV)/.deps
	@scripts/ensure-system.sh npm:npm
	$(BIN)/python scripts/audit.py

# Re-pin requirements.txt and requirements-dev.txt (with hashes) from the .in files, from
# PyPI alone (no local wheel directory, whose files may differ from PyPI's). Pins are kept;
# `make pins PINS_ARGS=--upgrade` (or `--upgrade-package NAME`) moves them.
PINS_ARGS ?=
pins: $(VENV)/.deps
	PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= $(BIN)/pip-compile --quiet --generate-hashes \
		--allow-unsafe --strip-extras --no-emit-index-url $(PINS_ARGS) \
		-o requirements.txt requirements.in
	PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= $(BIN)/pip-compile --quiet --generate-hashes \
		--allow-unsafe --strip-extras --no-emit-index-url $(PINS_ARGS) \
		-o requirements-dev.txt requirements-dev.in

format: $(VENV)/.deps
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Languages: collect every translatable string into messages.pot, merge it into each
# language's messages.po (translate the new entries there), compile messages.mo.
# The compiled .mo files are committed on purpose: `make run` (and a deploy) then needs
# no gettext tools and no compile step; tests/test_i18n.py checks .mo and .po agree.
translations: $(VENV)/.deps
	$(BIN)/pybabel extract -F babel.cfg -k _l -o webapp/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i webapp/translations/messages.pot -d webapp/translations
	$(BIN)/pybabel compile -d webapp/translations

bench: setup
	$(BIN)/python -m bench.transcode

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .ruff_cache
