# Two commands do all the set-up: `make run` and `make test`.
# pgserver (the embedded PostgreSQL) ships wheels for CPython 3.9-3.12, so prefer those.
SHELL := /bin/bash
VENV := .venv
PY_CANDIDATES := python3.12 python3.11 python3 python3.13
PYTHON := $(shell for p in $(PY_CANDIDATES); do \
	if $$p -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 12) else 1)' >/dev/null 2>&1; then echo $$p; exit 0; fi; done; \
	for p in $(PY_CANDIDATES); do \
	if $$p -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)' >/dev/null 2>&1; then echo $$p; exit 0; fi; done)
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck check clean doctor

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.11 or newer is required (3.11 or 3.12 for the embedded PostgreSQL)." >&2; exit 1; fi
	@echo "Creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/selflearn campaign run

doctor: $(STAMP)
	$(BIN)/selflearn doctor

test: $(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

lint: $(STAMP)
	$(BIN)/ruff check selflearn tests benchmarks
	$(BIN)/mypy

check: lint test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
