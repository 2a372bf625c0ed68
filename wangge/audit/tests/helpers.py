"""Changing the record as someone with database access would: raw SQL, behind the application's back."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection, transaction

from wangge.cases import events


@contextmanager
def behind_the_back():
    """A cursor for raw SQL on the record. On PostgreSQL the append-only triggers are skipped for
    the block (``session_replication_role = replica``, as a superuser may), then restored."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def as_a_new_request():
    """Forget what this thread remembers of the cases' last hashes, as a new transaction starts
    with (a test runs in one transaction, so nothing would be forgotten otherwise)."""
    events._TAILS.set(None)


def event_reads(queries) -> list[str]:
    """The statements that read the timeline table (the chain's look-ups of a previous hash)."""
    return [q["sql"] for q in queries.captured_queries
            if q["sql"].lstrip().upper().startswith("SELECT") and "cases_caseevent" in q["sql"]]
