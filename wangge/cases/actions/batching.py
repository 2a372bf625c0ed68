"""The sweep's batching: light changes collected and written with one UPDATE per group."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection
from django.utils import timezone

from ..models import (
    Case,
)
from .base import _save

# Within ``deferred_light_saves()`` (the sweep, per batch): light-only changes, grouped by the
# fields they touch, written with one UPDATE per group when the block ends.
_DEFERRED: ContextVar[dict | None] = ContextVar("wangge_deferred_light_saves", default=None)


@contextmanager
def deferred_light_saves():
    """Collect the sweep's light / next-check changes and write them together at the end of the
    block (one round trip per group instead of one per case). Nothing is written if it raises."""
    groups: dict[frozenset, list[Case]] = {}
    token = _DEFERRED.set(groups)
    try:
        yield
        now = timezone.now()
        for fields, cases in groups.items():
            for case in cases:
                case.updated_at = now
            _update_many(cases, sorted([*fields, "updated_at"]))
    finally:
        _DEFERRED.reset(token)


def _update_many(cases: list[Case], fields: list[str], batch_size: int = 500) -> None:
    """``bulk_update`` of ``fields`` — on PostgreSQL as ``UPDATE … FROM (VALUES …)``: Django's
    ``bulk_update`` builds a ``CASE WHEN`` expression per case and field, over half a second
    of Python for the thousand light changes of one sweep."""
    if connection.vendor != "postgresql":
        Case.objects.bulk_update(cases, fields, batch_size=batch_size)
        return
    qn = connection.ops.quote_name
    columns = [Case._meta.get_field(name) for name in fields]
    names = ", ".join(qn(column.column) for column in columns)
    assignments = ", ".join(f"{qn(c.column)} = v.{qn(c.column)}::{c.db_type(connection)}" for c in columns)
    row = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(cases), batch_size):
            chunk = cases[start:start + batch_size]
            params = [value for case in chunk for value in (
                case.pk, *(c.get_db_prep_save(getattr(case, c.attname), connection) for c in columns))]
            cursor.execute(
                f"UPDATE {qn(Case._meta.db_table)} SET {assignments} "
                f"FROM (VALUES {', '.join([row] * len(chunk))}) AS v(id, {names}) "
                f"WHERE {qn(Case._meta.db_table)}.id = v.id",
                params,
            )


def _save_light(case: Case, fields: Iterable[str]) -> None:
    groups = _DEFERRED.get()
    if groups is None:
        _save(case, fields)
    else:
        groups.setdefault(frozenset(fields), []).append(case)
