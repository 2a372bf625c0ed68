"""Visit windows (走访周期), pure date maths: a monthly person is due once per calendar month, a
half-monthly one in 1–15 and 16–end, a quarterly one per calendar quarter. "Missed" is an exact
count of windows that closed without a visit — never a guess."""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from .choices import FREQUENCY_RANK, VisitFrequency


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at, tz()).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a local calendar day, as aware datetimes."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz())
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz())


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def window(frequency: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The due window (first, last day, inclusive) that contains ``day``."""
    if frequency == VisitFrequency.HALF_MONTHLY:
        if day.day <= 15:
            return day.replace(day=1), day.replace(day=15)
        return day.replace(day=16), month_end(day)
    if frequency == VisitFrequency.QUARTERLY:
        first_month = (day.month - 1) // 3 * 3 + 1
        first = day.replace(month=first_month, day=1)
        return first, month_end(first.replace(month=first_month + 2))
    return day.replace(day=1), month_end(day)


def previous_window(frequency: str, day: dt.date) -> tuple[dt.date, dt.date]:
    first, _last = window(frequency, day)
    return window(frequency, first - dt.timedelta(days=1))


def windows_ending_in_month(frequency: str, year: int, month: int) -> list[tuple[dt.date, dt.date]]:
    """The windows whose last day falls in the month: what the month's coverage expects."""
    first = dt.date(year, month, 1)
    last = month_end(first)
    out, day = [], first
    while day <= last:
        w = window(frequency, day)
        if first <= w[1] <= last and w not in out:
            out.append(w)
        day = w[1] + dt.timedelta(days=1)
    return out


def frequency_of(frequencies) -> str:
    """The most demanding of a person's tags' frequencies (monthly when it has none)."""
    chosen = sorted(set(frequencies), key=lambda f: FREQUENCY_RANK.get(f, 99))
    return chosen[0] if chosen else VisitFrequency.MONTHLY
