"""The working-day calendar (工作日历): official Chinese holidays and make-up working days.

Sources, in order: the admin table (``CalendarDay`` overrides, years in ``CalendarYear``), then
the ``chinesecalendar`` package (2004–2026), then — for a year nobody has loaded — the plain
Monday–Friday rule, with every answer that relied on it flagged *provisional*.

``load_calendar()`` answers from a copy kept in each process (``wangge.core.localcache``): read
again at most every few seconds, and dropped at once in the process where an admin changes a day
or loads a year (model signals below, ``services.load_calendar_year``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import chinese_calendar
from django.db.models.signals import post_delete, post_save

from wangge.core.localcache import ProcessCache


@dataclass
class WorkdayCalendar:
    """A pure, in-memory calendar: ``overrides`` maps a date to is-working-day;
    ``loaded_years`` are years fully described by the overrides plus the weekday rule."""

    overrides: dict[dt.date, bool] = field(default_factory=dict)
    loaded_years: frozenset[int] = frozenset()

    def is_known_year(self, year: int) -> bool:
        return year in self.loaded_years or self._package_knows(year)

    @staticmethod
    def _package_knows(year: int) -> bool:
        try:
            chinese_calendar.is_workday(dt.date(year, 1, 1))
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: dt.date) -> tuple[bool, bool]:
        """(is it a working day, was the answer provisional)."""
        if day in self.overrides:
            return self.overrides[day], False
        if day.year in self.loaded_years:
            return day.weekday() < 5, False
        try:
            return chinese_calendar.is_workday(day), False
        except NotImplementedError:
            return day.weekday() < 5, True

    def add_working_days(self, start: dt.date, days: int) -> tuple[dt.date, bool]:
        """The ``days``-th working day after ``start`` (``start`` itself not counted)."""
        provisional = False
        current = start
        counted = 0
        while counted < days:
            current += dt.timedelta(days=1)
            working, guessed = self.is_workday(current)
            provisional = provisional or guessed
            if working:
                counted += 1
        return current, provisional

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]."""
        n, current = 0, start
        while current < end:
            current += dt.timedelta(days=1)
            if self.is_workday(current)[0]:
                n += 1
        return n


def read_calendar() -> WorkdayCalendar:
    """The calendar as the admins have configured it, read from the database now."""
    from .models import CalendarDay, CalendarYear

    return WorkdayCalendar(
        overrides=dict(CalendarDay.objects.values_list("date", "is_workday")),
        loaded_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
    )


_cache: ProcessCache[WorkdayCalendar] = ProcessCache(read_calendar)


def load_calendar() -> WorkdayCalendar:
    """The calendar as the admins have configured it (this process's copy, at most a few seconds
    old; callers must not change it)."""
    return _cache.get()


def invalidate() -> None:
    """The calendar tables changed in this process: read them again on the next use."""
    _cache.invalidate()


def _calendar_changed(sender, **kwargs) -> None:
    invalidate()


for _signal in (post_save, post_delete):
    for _model in ("workdays.CalendarDay", "workdays.CalendarYear"):
        _signal.connect(_calendar_changed, sender=_model, dispatch_uid=f"wangge-calendar-{_model}")
