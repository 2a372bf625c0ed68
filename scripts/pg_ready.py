"""Exit 0 when the PostgreSQL server in the URL answers, 1 (with the reason) otherwise."""

import sys

import dj_database_url
import psycopg

cfg = dj_database_url.parse(sys.argv[1])
try:
    psycopg.connect(
        host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"], password=cfg["PASSWORD"] or None,
        dbname="postgres", connect_timeout=3,
    ).close()
except Exception as exc:  # any failure means "not reachable" here
    print(f"PostgreSQL not reachable: {exc}", file=sys.stderr)
    sys.exit(1)
