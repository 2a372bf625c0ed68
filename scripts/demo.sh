#!/usr/bin/env bash
# Run the web server and the background worker together; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
ADDR="${WANGGE_ADDR:-127.0.0.1:8000}"
# The demo runs as an office would see it: debug off, so errors show the platform's own pages
# (404/403/500 in Chinese), not framework debug pages. WANGGE_DEBUG=1 for development.
export WANGGE_DEBUG="${WANGGE_DEBUG:-0}"
$BIN/python manage.py wangge_worker &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM
$BIN/python manage.py demo_logins
echo
echo "  Wangge is running:  http://$ADDR/   (API docs: http://$ADDR/api/docs/, admin: http://$ADDR/admin/)"
echo "  Background worker (deadline sweep) pid $WORKER. Press Ctrl-C to stop both."
echo
# --insecure: serve the static files with debug off (the demo has no separate web server).
$BIN/python manage.py runserver "$ADDR" --noreload --insecure
