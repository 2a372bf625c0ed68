"""PostgreSQL settings for one piece of work: the planner told what it cannot know (JIT costs
more than the query, two partial indexes are not independent), a statement's time budget.

``local_settings(jit="off")`` sets them for a block and puts back what was there before, also
inside an enclosing transaction (a released savepoint keeps ``SET LOCAL``); ``set_for_transaction``
sets them until the current transaction ends. Elsewhere than PostgreSQL both do nothing. A block
left by an exception needs nothing put back: its savepoint's rollback undoes the settings, and
the transaction may no longer take statements (a statement timeout).

A setting of the platform's own (``wangge.audit_maintenance``: the append-only triggers' switch)
is given by name: ``local_settings(**{"wangge.timeline_redaction": "on"})``; one the session has
never set reads as empty, and is put back empty."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connections, transaction


def _set_sql(count: int) -> str:
    return ", ".join("set_config(%s, %s, true)" for _ in range(count))


def _pairs(settings: dict[str, str]) -> list[str]:
    return [part for name, value in settings.items() for part in (name, str(value))]


def set_for_transaction(using: str = "default", **settings: str) -> None:
    """``SET LOCAL`` each of ``settings`` (name → value) until the current transaction ends."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("set_for_transaction needs a transaction: outside one the setting ends at once")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + _set_sql(len(settings)), _pairs(settings))


@contextmanager
def local_settings(using: str = "default", **settings: str):
    """Each of ``settings`` (name → value) for the block only, in a transaction (or savepoint) of
    its own; as they were once the block is done."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings:
        yield
        return
    names = list(settings)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # One statement each way: read what is there (the CTE first), then set.
        reads = ", ".join(f"coalesce(current_setting(%s, true), '') AS s{i}" for i in range(len(names)))
        cursor.execute(f"WITH previous AS MATERIALIZED (SELECT {reads}) "
                       f"SELECT previous.*, {_set_sql(len(names))} FROM previous", [*names, *_pairs(settings)])
        previous = dict(zip(names, cursor.fetchone()[: len(names)]))
        yield
        cursor.execute("SELECT " + _set_sql(len(names)), _pairs(previous))
