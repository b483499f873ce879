# Two entry points: `make report` (whole analysis on the bundled sample wave) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
WAVE_CONFIG ?= data/raw/sample-2018/survey.yaml

.PHONY: report test lint install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

report: install
	$(BIN)/dialogue-analysis run $(WAVE_CONFIG)

lint: install-dev
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/lint-imports  # the layers of the package: imports only go down, no cycle

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf data/processed/* reports/*
