"""Local calendar days (Asia/Shanghai): the diary's day runs from local midnight to midnight."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at, tz()).date()


def today(now: dt.datetime | None = None) -> dt.date:
    return local_day(now or timezone.now())


def bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the local day, aware."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz())
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz())
