# Thin wrappers; every target creates .venv on demand.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test lint web browser bench bench-gateways clean proto

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The web platform's front end: npm ci from the lockfile, then tsc and the vendor copy.
WEB := src/aurex/web/static/js/.built
WEB_SOURCES := $(shell find src/aurex/web/ts src/aurex/web/build -type f 2>/dev/null)
$(WEB): package.json package-lock.json tsconfig.json $(WEB_SOURCES)
	@test -d node_modules && test node_modules/.package-lock.json -nt package-lock.json || npm ci --no-audit --no-fund
	npm run --silent build
	@touch $(WEB)

web: $(WEB)

# The browser tests drive the system Chromium (a Playwright browser download does not work here).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	apt-get update -qq && apt-get install -y -qq chromium

browser: $(CHROMIUM)

run: $(STAMP) $(WEB)
	$(BIN)/aurex serve

demo: $(STAMP) $(WEB)
	$(BIN)/aurex demo

test: $(STAMP) $(WEB) $(CHROMIUM)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# Regenerate the gRPC Python code after editing the .proto (the generated files are committed).
PROTO := src/aurex/gateways/grpc/stock_service.proto
proto: $(STAMP)
	$(BIN)/python -m grpc_tools.protoc -Isrc --python_out=src --pyi_out=src --grpc_python_out=src $(PROTO)

bench: $(STAMP)
	$(BIN)/python bench/core.py

bench-gateways: $(STAMP)
	$(BIN)/python bench/gateways.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
