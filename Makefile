# Two set-up commands that work on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: run test install dev lint test-python test-jax bench clean

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

## make run: a small optimization on the embedded digits dataset (no downloads, a few minutes on a laptop)
run: install
	$(BIN)/healthtune optimize --dataset digits --trials 6 --epochs 8

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
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
