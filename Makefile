# Stella – the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test test-sqlite test-postgres test-browser lint bench demo clean messages

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 fehlt: bitte python3.11 installieren (oder PYTHON=… setzen)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

## install: create .venv/ with Stella and its pinned dependencies (entry point .venv/bin/stella)
install: $(STAMP)

## run: install, migrate, load demo data if the database is empty, serve on http://127.0.0.1:8000
run: install
	$(BIN)/stella migrate --no-input
	STELLA_DEBUG=$${STELLA_DEBUG:-1} $(BIN)/stella demo --if-empty
	$(BIN)/stella db_worker --no-reload --verbosity 0 & trap 'kill $$!' EXIT INT TERM; \
	  $(BIN)/stella serve --host 127.0.0.1 --port 8000

## test: lint, migrations check, the suite on SQLite and PostgreSQL, browser tests (CI=true: nothing skipped)
test: install
	bash scripts/test.sh

lint: install
	$(BIN)/ruff check src bench
	$(BIN)/mypy

## bench: benchmarks (see docs/benchmarks.md); BENCH_PERSONS=… sets the data size, BENCH_ARGS=--allocation
##        runs the allocation benchmark (BENCH_ARGS=--handover the bulk hand-over)
##        BENCH_ARGS="--linkage [--febrl] [--synthetic 20000,200000] [--online]" duplicate detection
bench: install
	bash scripts/bench.sh $(BENCH_ARGS)

demo: install
	$(BIN)/stella migrate --no-input
	STELLA_DEBUG=1 $(BIN)/stella demo

## messages: recompile the English translation after editing src/stella/locale/en/LC_MESSAGES/django.po
messages: install
	cd src/stella && ../../$(BIN)/django-admin compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
