# Two set-up commands that work on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: run test install dev lint test-python test-jax test-web test-e2e ui bench clean container-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[tensorflow]"
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[tensorflow,jax,dev]"
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)
dev: $(DEV_STAMP)

## make run: the API server and web UI on http://127.0.0.1:8000 (embedded defaults; Ctrl-C stops it)
run: install ui
	$(BIN)/healthtune serve

# The web UI (web/, Vite + React) builds into the package's static folder; npm runs only when sources changed.
WEB := web
UI_BUILD := src/healthtune/server/static/index.html
WEB_DEPS := $(WEB)/node_modules/.installed
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) \
	$(wildcard $(WEB)/index.html $(WEB)/vite.config.ts $(WEB)/tsconfig*.json $(WEB)/package.json)

ui: $(UI_BUILD)

$(WEB_DEPS): $(WEB)/package.json $(WEB)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20+ (apt-get install nodejs npm)"; exit 1; }
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $@

# The typed API client is generated from the server's OpenAPI schema: regenerated when the server changes.
$(WEB)/openapi.json: $(wildcard src/healthtune/server/*.py) src/healthtune/core/config.py | $(RUN_STAMP) $(WEB_DEPS)
	cd $(WEB) && npm run gen:api

$(UI_BUILD): $(WEB_SOURCES) $(WEB)/openapi.json $(WEB_DEPS)
	cd $(WEB) && npm run build

## make test: lint, type-check, every test on TensorFlow, then the core subset on JAX; the web UI's
## type check, unit tests (Vitest), build, and browser tests (Chromium)
test: dev lint test-python test-jax test-web test-e2e

test-web: $(WEB_DEPS) $(WEB)/openapi.json
	cd $(WEB) && npm run typecheck && npm test && npm run build

test-e2e: dev test-web
	cd $(WEB) && npm run test:e2e

lint: dev
	$(BIN)/ruff check src tests bench docs
	$(BIN)/ruff format --check src tests bench docs
	$(BIN)/mypy

# Tests run in TEST_WORKERS processes (pytest-xdist), whole files per process so that a module's
# trained fixtures are built once. The schemathesis contract test runs on its own: its generated
# items share one node id, and xdist, which schedules by node id, would run only one of them.
TEST_WORKERS ?= 2
CONTRACT_TEST := tests/server/test_server_schema.py
PARALLEL := -n $(TEST_WORKERS) --dist loadfile

test-python: dev
	$(BIN)/pytest $(PARALLEL) --durations=15 --ignore=$(CONTRACT_TEST)
	$(BIN)/pytest $(CONTRACT_TEST)

test-jax: dev
	KERAS_BACKEND=jax $(BIN)/pytest $(PARALLEL) -m jax_core

## make bench: every CPU benchmark (about an hour on 2 cores); bench/gpu_search.py runs only on a GPU machine
bench: dev ui
	$(BIN)/python bench/trial_overhead.py
	$(BIN)/python bench/trial_overhead.py --full
	$(BIN)/python bench/health_overhead.py
	$(BIN)/python bench/plot_cost.py
	$(BIN)/python bench/mnist_search.py
	$(BIN)/python bench/api_latency.py
	$(BIN)/python bench/concurrency.py
	$(BIN)/python bench/dispatch_overhead.py
	$(BIN)/python bench/ui_load.py
	$(BIN)/python bench/upload_throughput.py

## make container-test: build the app, proxy and worker images with podman and test the compose stack
## through its proxy (root; installs podman if missing; docs/deployment.md)
container-test:
	bash deploy/container-test.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(WEB)/node_modules $(WEB)/test-results
