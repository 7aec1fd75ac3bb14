# Thin wrappers; every target creates .venv on demand.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test lint web browser bench bench-gateways clean proto native

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The core and market data compiled in place with mypyc when a C compiler works
# (CC=/bin/false simulates none); otherwise they run interpreted. Rebuilt on edit.
NATIVE := $(VENV)/.native
NATIVE_SOURCES := $(wildcard src/aurex/core/*.py src/aurex/marketdata/*.py) tools/build_native.py
$(NATIVE): $(STAMP) $(NATIVE_SOURCES)
	$(BIN)/python tools/build_native.py
	@touch $(NATIVE)

native: $(NATIVE)

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

# The alert rules are checked with promtool (Debian package prometheus) in the tests.
PROMTOOL := /usr/bin/promtool
$(PROMTOOL):
	apt-get update -qq && apt-get install -y -qq prometheus


run: $(NATIVE) $(WEB)
	$(BIN)/aurex serve

demo: $(NATIVE) $(WEB)
	$(BIN)/aurex demo

test: $(NATIVE) $(WEB) $(CHROMIUM) $(PROMTOOL)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# Regenerate the gRPC Python code after editing the .proto (the generated files are committed).
PROTO := src/aurex/gateways/grpc/stock_service.proto
proto: $(STAMP)
	$(BIN)/python -m grpc_tools.protoc -Isrc --python_out=src --pyi_out=src --grpc_python_out=src $(PROTO)

bench: $(NATIVE)
	$(BIN)/python bench/core.py

bench-gateways: $(NATIVE)
	$(BIN)/python bench/gateways.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache build
	rm -f src/aurex/_native__mypyc*.so src/aurex/core/*.so src/aurex/marketdata/*.so src/aurex/_native_build.txt
