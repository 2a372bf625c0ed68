"""Due windows (巡查周期) — pure date maths on Asia/Shanghai calendar days.

A daily point's window is one local day; a weekly point's Monday to Sunday; a monthly point's
the calendar month. Windows are closed intervals of local dates, ``[start, end]``; a window is
named by its start, which is what makes a slot unique per point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.utils import timezone

from .choices import Frequency

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_day(at: dt.datetime) -> dt.date:
    """The Asia/Shanghai calendar day of an aware moment."""
    return timezone.localtime(at, SHANGHAI).date()


def today() -> dt.date:
    return local_day(timezone.now())


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a local day as aware moments."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)
    return start, start + dt.timedelta(days=1)


def window_of(frequency: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The window (first day, last day) of ``frequency`` that contains ``day``."""
    if frequency == Frequency.DAILY:
        return day, day
    if frequency == Frequency.WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if frequency == Frequency.MONTHLY:
        start = day.replace(day=1)
        following = (start + dt.timedelta(days=32)).replace(day=1)
        return start, following - dt.timedelta(days=1)
    raise ValueError(f"unknown frequency {frequency!r}")


def windows_between(frequency: str, first: dt.date, last: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """Every window of ``frequency`` that meets [first, last], in order."""
    start, end = window_of(frequency, first)
    while start <= last:
        yield start, end
        start, end = window_of(frequency, end + dt.timedelta(days=1))
