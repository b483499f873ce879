# Two entry points: `make report` (whole analysis on the bundled sample wave) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
WAVE_CONFIG ?= data/raw/sample-2018/survey.yaml

.PHONY: report test lint install install-dev install-test-tools clean

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

# The review page's browser tests drive the system's Chromium (Playwright's own browser download
# is not used): installed with apt-get when missing, as root or through sudo.
# System tools some tests drive: Chromium (the review page, through Playwright), LibreOffice and
# poppler (the Word report and the deck opened as an analyst would). Installed with apt-get when
# missing, as root or through sudo.
install-test-tools:
	@SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi; \
	if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    libreoffice-writer-nogui libreoffice-impress-nogui poppler-utils; \
	fi

report: install
	$(BIN)/dialogue-analysis run $(WAVE_CONFIG)

lint: install-dev
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/lint-imports  # the layers of the package: imports only go down, no cycle

test: lint install-test-tools
	$(BIN)/python -m pytest

clean:
	rm -rf data/processed/* reports/*
