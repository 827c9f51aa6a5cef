# Two set-up commands that work on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: run test install dev lint test-python test-jax test-web test-e2e ui bench clean

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
run: install
	$(BIN)/healthtune serve

## make test: lint, type-check, every test on TensorFlow, then the core subset on JAX
test: dev lint test-python test-jax

lint: dev
	$(BIN)/ruff check src tests bench docs
	$(BIN)/ruff format --check src tests bench docs
	$(BIN)/mypy

test-python: dev
	$(BIN)/pytest

test-jax: dev
	KERAS_BACKEND=jax $(BIN)/pytest -m jax_core

bench: dev
	$(BIN)/python bench/trial_overhead.py
	$(BIN)/python bench/trial_overhead.py --full
	$(BIN)/python bench/health_overhead.py
	$(BIN)/python bench/plot_cost.py
	$(BIN)/python bench/mnist_search.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(WEB)/node_modules $(WEB)/test-results
