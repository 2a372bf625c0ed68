#!/usr/bin/env bash
# The whole suite on SQLite, then on PostgreSQL. Without PostgreSQL the second half is skipped
# with a plain message — except under CI=true, where that is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${WANGGE_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/wangge}"
# One pytest-xdist worker per CPU (WANGGE_TEST_WORKERS=0 runs the suite in this one process). Each worker
# has its own test database (test_wangge_gw0, …); the default "load" scheduling hands tests out
# in collection order, so each worker still runs its transactional tests (which empty its
# database) after its ordinary ones, as pytest-django orders them.
WORKERS="${WANGGE_TEST_WORKERS:-auto}"
# The slowest tests of each half are listed at the end, to keep the suite inside CI's budget.
SLOWEST="--durations=${WANGGE_TEST_SLOWEST:-15}"

echo "=== Wangge tests on SQLite ==="
WANGGE_TEST_DB=sqlite $BIN/python -m pytest -n "$WORKERS" "$SLOWEST" "$@"
sqlite_rc=$?

echo "=== Wangge tests on PostgreSQL ($PG_URL) ==="
if $BIN/python scripts/pg_ready.py "$PG_URL"; then
  WANGGE_TEST_DB=postgres WANGGE_TEST_DATABASE_URL="$PG_URL" $BIN/python -m pytest -n "$WORKERS" "$SLOWEST" "$@"
  pg_rc=$?
else
  if [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL is unreachable at $PG_URL and CI=true: failing." >&2
    pg_rc=1
  else
    echo "PostgreSQL is unreachable at $PG_URL: SKIPPED the PostgreSQL half (start it and run 'make test' again)."
    pg_rc=0
  fi
fi

if [ $sqlite_rc -ne 0 ] || [ $pg_rc -ne 0 ]; then
  echo "FAILED: sqlite rc=$sqlite_rc, postgres rc=$pg_rc" >&2
  exit 1
fi
echo "All tests passed on SQLite and PostgreSQL."
