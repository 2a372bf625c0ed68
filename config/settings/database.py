"""How every settings module connects to PostgreSQL (SQLite is left as it is)."""

import os


def prepared(database: dict) -> dict:
    """``database`` with PostgreSQL's prepared statements on: parameters bound on the server and a
    statement run ``WANGGE_DB_PREPARE_THRESHOLD`` times (default 5) on one connection is parsed
    and planned once, then only executed. The case desk runs the same few statements all day (a
    filing is nine), and planning was most of the database's work per filing: ``make bench``
    prints the database's CPU per filing either way (README, 'Database connections').

    ``WANGGE_DB_PREPARE_THRESHOLD=0`` turns it off — behind PgBouncer in transaction mode older
    than 1.21, which cannot carry a prepared statement from one transaction to the next."""
    if "postgresql" not in database.get("ENGINE", ""):
        return database
    threshold = int(os.environ.get("WANGGE_DB_PREPARE_THRESHOLD", "5"))
    options = database.setdefault("OPTIONS", {})
    if threshold > 0:
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", threshold)
    return database
