# Entry points: `make certify` (certification against the embedded sandbox) and `make test`
# (the project's own checks). Both bootstrap a local .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: certify test lint typecheck unit clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

certify: $(STAMP)
	$(BIN)/uatcert run

lint: $(STAMP)
	$(BIN)/ruff check src steps tests benchmarks conftest.py

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck unit

clean:
	rm -rf reports/allure-results reports/html reports/*.json reports/*.jsonl reports/*.csv reports/*.xml reports/*.zip
