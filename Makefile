# Thin wrappers; every target creates .venv on demand.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test lint bench bench-gateways clean proto

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/aurex serve

demo: $(STAMP)
	$(BIN)/aurex demo

test: $(STAMP)
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
