#!/usr/bin/env bash
# Runs every check and the whole suite on SQLite and on PostgreSQL, with the browser tests.
# With CI=true, PostgreSQL and Chromium are mandatory (installed/started here when missing);
# locally, what is missing is skipped with a message saying what to start.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
CI=${CI:-false}
export STELLA_VAR_DIR=${STELLA_VAR_DIR:-$PWD/var/test}
mkdir -p "$STELLA_VAR_DIR"
PG_URL=${STELLA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}

step() { printf '\n==> %s\n' "$*"; }

# Chromium for the Playwright tests (Debian's package; Playwright never downloads a browser here).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$CI" = "true" ]; then
    step "Installing Debian's chromium"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core >/dev/null) \
      || { echo "chromium could not be installed"; exit 1; }
  else
    echo "NOTE: /usr/bin/chromium missing: browser tests will be skipped (apt-get install chromium)."
  fi
fi

pg_up() { "$BIN/python" - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3).close()
except Exception as exc:
    print(exc); sys.exit(1)
PY
}
if ! pg_up >/dev/null 2>&1 && [ "$CI" = "true" ]; then
  step "Starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
  sleep 2
fi

step "ruff"
"$BIN/ruff" check src bench
step "mypy"
"$BIN/mypy"
step "migrations are up to date"
STELLA_DATABASE_URL="sqlite:///$STELLA_VAR_DIR/check.sqlite3" "$BIN/stella" makemigrations --check --dry-run >/dev/null
step "deployment check"
STELLA_ALLOWED_HOSTS=stella.example.org "$BIN/stella" check-deploy

# The two databases run side by side (pytest is single-threaded; the machine has two cores), each with its
# own log, printed when both have finished.
LOGS=$(mktemp -d)
step "pytest on SQLite and on PostgreSQL, side by side (logs in $LOGS)"
STELLA_DATABASE_URL="sqlite:///$STELLA_VAR_DIR/test.sqlite3" "$BIN/pytest" -q >"$LOGS/sqlite.log" 2>&1 &
SQLITE_PID=$!
PG_PID=""
if pg_up >/dev/null 2>&1; then
  STELLA_DATABASE_URL="$PG_URL" STELLA_VAR_DIR="$STELLA_VAR_DIR/pg" "$BIN/pytest" -q >"$LOGS/postgres.log" 2>&1 &
  PG_PID=$!
elif [ "$CI" = "true" ]; then
  echo "PostgreSQL at $PG_URL is not reachable, and CI=true makes it mandatory."; kill "$SQLITE_PID"; exit 1
fi
status=0
wait "$SQLITE_PID" || status=1
step "pytest on SQLite"
cat "$LOGS/sqlite.log"
if [ -n "$PG_PID" ]; then
  wait "$PG_PID" || status=1
  step "pytest on PostgreSQL"
  cat "$LOGS/postgres.log"
else
  echo "SKIPPED: PostgreSQL tests (start PostgreSQL at 127.0.0.1:5432 with trust auth to run them)."
fi
exit "$status"
