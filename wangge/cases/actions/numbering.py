"""Case numbers (编号): WG + local date + a per-day sequence."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from .. import sla
from ..models import (
    CaseNumberSequence,
)


def _next_number(now: dt.datetime) -> str:
    """WG + local date + a per-day sequence; the day's row is locked, so numbers never repeat.

    One upsert (PostgreSQL, and SQLite ≥ 3.35): it creates the day's row or increments it under
    its row lock, in a single round trip on the intake path."""
    day = now.astimezone(sla.LOCAL_TZ).date()
    table = CaseNumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day],
        )
        last = cursor.fetchone()[0]
    return f"WG{day:%Y%m%d}-{last:05d}"
