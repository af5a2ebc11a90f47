# Rota — developer entry points. `make run` and `make test` work on a fresh machine with only
# Python 3.11+ and make: the virtual environment is created and kept up to date here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

export ROTA_DATABASE_URL ?= sqlite:///./var/rota.db

.PHONY: run test lint format migrate bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		(echo "Rota needs Python 3.11 or newer (found $$($(PYTHON) --version))" && exit 1)
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	mkdir -p var
	$(BIN)/rota migrate
	$(BIN)/rota init
	$(BIN)/rota serve --host $(HOST) --port $(PORT)

migrate: $(STAMP)
	mkdir -p var
	$(BIN)/rota migrate

test: $(STAMP) lint
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(STAMP)
	$(BIN)/python bench/staff_load.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
