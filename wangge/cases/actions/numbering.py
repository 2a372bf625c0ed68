"""Case numbers (编号): WG + local date + a per-day sequence."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator, Mapping

from django.db import connection, transaction

from .. import sla
from ..models import (
    CaseNumberSequence,
)

# The blocks of the ``reserved_numbers`` in force: day → [next, last]. A context variable, so a
# reservation is seen by its own thread (or task) only: every other filing numbers as always.
_reservation: contextvars.ContextVar[dict[dt.date, list[int]] | None] = contextvars.ContextVar(
    "case_number_reservation", default=None)


def number_day(when: dt.datetime) -> dt.date:
    """The local day a case filed at ``when`` (its ``submitted_at``) is numbered on."""
    return when.astimezone(sla.LOCAL_TZ).date()


def _take(day: dt.date, count: int) -> int:
    """Add ``count`` to the day's sequence (creating its row); the new last number."""
    table = CaseNumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, %s) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + %s RETURNING last",
            [day, count, count],
        )
        return cursor.fetchone()[0]


def _next_number(now: dt.datetime) -> str:
    """WG + local date + a per-day sequence; the day's row is locked, so numbers never repeat.

    One upsert (PostgreSQL, and SQLite ≥ 3.35): it creates the day's row or increments it under
    its row lock, in a single round trip on the intake path. Inside ``reserved_numbers`` a
    number of the day comes from the reservation, with no write to the row at all."""
    day = number_day(now)
    block = (_reservation.get() or {}).get(day)
    if block and block[0] <= block[1]:
        last, block[0] = block[0], block[0] + 1
    else:
        last = _take(day, 1)
    return f"WG{day:%Y%m%d}-{last:05d}"


@contextlib.contextmanager
def reserved_numbers(counts: Mapping[dt.date, int]) -> Iterator[None]:
    """Number the filings of this thread inside the block from numbers reserved beforehand.

    A long transaction that files many cases (a 12345 "all or nothing" import: minutes) would
    otherwise hold each day's sequence row locked until it commits, and every other filing of
    that day — the hotline desk, WeChat, the API — would wait for it. Enter this *outside* that
    transaction: it takes ``counts[day]`` numbers of each day in one short transaction of its own,
    committed at once, and ``_next_number`` then hands them out in order. A day not reserved, or
    whose numbers are used up, is numbered as always.

    Numbers reserved but not used (the long transaction is undone, or a row turned out to be
    filed already) are a gap in that day's sequence; every other filing stays gap-free."""
    blocks = {}
    with transaction.atomic():
        for day, count in sorted(counts.items()):  # one order of days: no deadlock between two imports
            if count > 0:
                last = _take(day, count)
                blocks[day] = [last - count + 1, last]
    token = _reservation.set(blocks)
    try:
        yield
    finally:
        _reservation.reset(token)
