#!/usr/bin/env bash
# Stella benchmark (make bench): p50/p95 of opening a file, name search and adding a note on a
# PostgreSQL database with BENCH_PERSONS persons, each against its bare-SQL floor. See docs/benchmarks.md.
#
#   BENCH_PERSONS       persons in the database (default 1000000; added with `stella demo` if fewer)
#   BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/stella_bench (created if missing)
#   BENCH_SAMPLES       measurements per operation (default 200)
# Extra arguments go to `python -m bench` (e.g. --no-fill, --samples 50).
# `scripts/bench.sh --allocation [options]` runs the allocation benchmark instead (bench/allocation/, no database).
# `scripts/bench.sh --linkage [--febrl] [--synthetic 20000,200000] [--online]` runs the duplicate-detection
# benchmarks (bench/linkage/; without a choice all three).
# `scripts/bench.sh --reporting [--no-build] [--samples N]` runs the outcome-report benchmark (bench/reporting/) on
# BENCH_REPORT_DATABASE_URL (default …/stella_bench_link, the 1,000,000-person database; migrated, never refilled).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
if [[ "${1:-}" == "--allocation" ]]; then
  shift
  exec "$BIN/python" -m bench.allocation "$@"
fi
if [[ "${1:-}" == "--linkage" ]]; then
  # duplicate detection (bench/linkage/): FEBRL4 and synthetic registrations in DuckDB; the online check on
  # PostgreSQL (BENCH_LINK_DATABASE_URL, default …/stella_bench_link, filled to BENCH_PERSONS with stella demo)
  shift
  export STELLA_DEBUG=0 STELLA_LOG_LEVEL=${STELLA_LOG_LEVEL:-ERROR}
  export STELLA_VAR_DIR=${STELLA_VAR_DIR:-$PWD/var/bench}
  mkdir -p "$STELLA_VAR_DIR"
  exec "$BIN/python" -m bench.linkage "$@"
fi
if [[ "${1:-}" == "--reporting" ]]; then
  # outcome reports (bench/reporting/): full and incremental refresh, dashboard pages and the API report call
  # against the bare SQL aggregate, on PostgreSQL
  shift
  export STELLA_DEBUG=0 STELLA_LOG_LEVEL=${STELLA_LOG_LEVEL:-ERROR}
  export STELLA_VAR_DIR=${STELLA_VAR_DIR:-$PWD/var/bench}
  export STELLA_ALLOWED_HOSTS=${STELLA_ALLOWED_HOSTS:-localhost}
  mkdir -p "$STELLA_VAR_DIR"
  exec "$BIN/python" -m bench.reporting "$@"
fi
export BENCH_PERSONS=${BENCH_PERSONS:-1000000}
export BENCH_DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/stella_bench}
export STELLA_DATABASE_URL=$BENCH_DATABASE_URL
export STELLA_VAR_DIR=${STELLA_VAR_DIR:-$PWD/var/bench}
export STELLA_DEBUG=0              # measure with production settings (no query log)
export STELLA_LOG_LEVEL=${STELLA_LOG_LEVEL:-ERROR}
export STELLA_ALLOWED_HOSTS=localhost
mkdir -p "$STELLA_VAR_DIR"

"$BIN/python" - "$BENCH_DATABASE_URL" <<'PY' || { echo "PostgreSQL unter $BENCH_DATABASE_URL ist nicht erreichbar (127.0.0.1:5432, trust auth)."; exit 1; }
import sys, psycopg
from urllib.parse import urlsplit, urlunsplit
parts = urlsplit(sys.argv[1].replace("postgres://", "postgresql://", 1))
psycopg.connect(urlunsplit(parts._replace(path="/postgres")), connect_timeout=3).close()
PY

exec "$BIN/python" -m bench "$@"
