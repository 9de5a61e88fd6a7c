# Entry points: `make certify` (certification against the embedded sandbox) and `make test`
# (the project's own checks). Both bootstrap a local .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.package-lock.json
# The project's tests run on this many pytest-xdist workers (each test is independent: its own ports,
# folders and sandboxes); the end-to-end runs are subprocesses that spend much of their time in the
# sandboxes' deliberate holds, so three workers keep two cores busy.
TEST_WORKERS ?= 3

.PHONY: certify test lint typecheck unit fuzz clean node wheel bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The pinned Allure 3 report generator (package.json + package-lock.json). Optional: without npm the run
# still certifies and prints how to get the single-file HTML report later.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund; \
	else echo "npm not found: the single-file HTML report will be skipped (install Node.js 20+ for it)"; fi

node: $(NODE_STAMP)

certify: $(STAMP) $(NODE_STAMP)
	$(BIN)/uatcert run

# The installable tool: the wheel carries the features, steps, root conftest and sandbox data (hatch_build.py).
wheel: $(STAMP)
	$(BIN)/python -m pip wheel . --no-deps --quiet -w dist

lint: $(STAMP)
	$(BIN)/ruff check src steps tests benchmarks conftest.py

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy steps

unit: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest -n $(TEST_WORKERS)

test: lint typecheck unit

# Schemathesis against the sandbox's OpenAPI documents (the optional `fuzz` extra; its pytest plugin is
# off by default and switched on here only). Bounded: see tests/fuzz.
FUZZ_STAMP := $(VENV)/.fuzz-stamp

$(FUZZ_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,fuzz]'
	touch $(FUZZ_STAMP)

fuzz: $(FUZZ_STAMP)
	$(BIN)/pytest -p schemathesis tests/fuzz -n 0

# The benchmarks (not part of `make test`): figures printed, `name: value` lines last; see benchmarks/README.md.
# About 15 minutes on 2 cores, stopped after 40.
bench: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	cd benchmarks && timeout 2400 $(abspath $(BIN))/python run_all.py

clean:
	rm -rf reports/allure-results reports/html reports/*.json reports/*.jsonl reports/*.csv reports/*.xml reports/*.zip
