"""Loading a year of the working-day calendar (工作日历) from the State Council notice
(国务院办公厅关于××年部分节假日安排的通知).

An admin pastes the notice as lines such as::

    2027-01-01,holiday,元旦
    2027-02-06~2027-02-12,holiday,春节
    2027-02-07,workday,春节调休

Only days that differ from the Monday–Friday rule need a line: statutory holidays on weekdays
(also accepted on weekends, harmless) and make-up working days on weekends (调休上班). Once the
year is stored, ``signals.calendar_year_loaded`` is sent after commit: the cases app then
recomputes every open case whose deadline was provisional.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from . import calendar
from .models import CalendarDay, CalendarYear
from .signals import calendar_year_loaded

WORKDAY_WORDS = {"workday", "work", "working", "班", "上班", "调休上班", "工作日", "补班"}
HOLIDAY_WORDS = {"holiday", "off", "rest", "休", "假", "休息", "放假", "节假日", "休假"}
SEPARATORS = re.compile(r"\s*[,，\t;；]\s*")
RANGE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\s*(?:~|～|\.\.|至)\s*(\d{4}-\d{1,2}-\d{1,2})$")
MAX_RANGE_DAYS = 31


@dataclass(frozen=True)
class DayEntry:
    date: dt.date
    is_workday: bool
    name: str = ""


class CalendarInputError(ValueError):
    """The calendar text or the days are not valid; ``messages`` names every bad line."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


def _parse_date(text: str) -> dt.date | None:
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_calendar_text(text: str) -> list[DayEntry]:
    """Lines ``date[~date],holiday|workday[,name]`` → day entries. Blank lines and lines starting
    with ``#`` are skipped. Raises CalendarInputError listing every bad line."""
    placed: dict[dt.date, tuple[DayEntry, bool, int]] = {}  # date → (entry, from a range, line)
    errors: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        parts = SEPARATORS.split(line, maxsplit=2)
        if len(parts) < 2:
            errors.append(_("Line %(line)d: expected “date,holiday|workday,name”, got “%(text)s”.")
                          % {"line": number, "text": line})
            continue
        when, kind = parts[0], parts[1].strip().lower()
        name = parts[2].strip() if len(parts) > 2 else ""
        match = RANGE.match(when)
        first = _parse_date(match.group(1) if match else when)
        last = _parse_date(match.group(2)) if match else first
        if first is None or last is None:
            errors.append(_("Line %(line)d: “%(text)s” is not a date (write it as YYYY-MM-DD).")
                          % {"line": number, "text": when})
            continue
        if last < first or (last - first).days >= MAX_RANGE_DAYS:
            errors.append(_("Line %(line)d: the range “%(text)s” must run forwards and span at most %(n)d days.")
                          % {"line": number, "text": when, "n": MAX_RANGE_DAYS})
            continue
        if kind in WORKDAY_WORDS:
            is_workday = True
        elif kind in HOLIDAY_WORDS:
            is_workday = False
        else:
            errors.append(_("Line %(line)d: “%(text)s” must be “holiday” (休) or “workday” (班).")
                          % {"line": number, "text": parts[1]})
            continue
        if len(name) > 50:
            errors.append(_("Line %(line)d: the name is longer than 50 characters.") % {"line": number})
            continue
        day = first
        while day <= last:
            given = placed.get(day)
            if given is None or (given[1] and not match):
                # A single day inside a range is its exception (春节 2027-02-06~02-12 with one
                # 调休 day in it): the day wins, whichever line comes first.
                placed[day] = (DayEntry(day, is_workday, name), bool(match), number)
            elif not (match and not given[1]):
                errors.append(_("Line %(line)d: %(date)s is already given on line %(other)d.")
                              % {"line": number, "date": day.isoformat(), "other": given[2]})
                break
            day += dt.timedelta(days=1)
    if errors:
        raise CalendarInputError(errors)
    entries = [entry for entry, _range, _line in sorted(placed.values(), key=lambda p: p[0].date)]
    if not entries:
        raise CalendarInputError([_("No days were given.")])
    return entries


def builtin_days(year: int) -> list[DayEntry]:
    """The days of ``year`` the built-in calendar (the ``chinesecalendar`` package) sets apart from
    the Monday–Friday rule — holidays on weekdays, make-up working days on weekends — with their
    Chinese names; [] for a year it does not know."""
    import chinese_calendar
    from chinese_calendar import constants

    if not calendar.WorkdayCalendar._package_knows(year):
        return []
    names = {h.value: h.chinese for h in chinese_calendar.Holiday}
    days = [DayEntry(d, False, names.get(n, n)) for d, n in constants.holidays.items()
            if d.year == year and d.weekday() < 5]
    days += [DayEntry(d, True, f"{names.get(n, n)}调休") for d, n in constants.workdays.items()
             if d.year == year and d.weekday() >= 5]
    return sorted(days, key=lambda e: e.date)


def validate_year(year: int, days: list[DayEntry]) -> None:
    """Raise CalendarInputError listing what is wrong with ``days`` as the calendar of ``year``."""
    errors = []
    if not 2000 <= year <= 2100:
        errors.append(_("%(year)s is not a plausible year.") % {"year": year})
    if not days:
        errors.append(_("No days were given."))
    seen: set[dt.date] = set()
    for entry in days:
        if entry.date.year != year:
            errors.append(_("%(date)s is not in %(year)d.") % {"date": entry.date.isoformat(), "year": year})
        if entry.date in seen:
            errors.append(_("%(date)s is listed more than once.") % {"date": entry.date.isoformat()})
        seen.add(entry.date)
    if errors:
        raise CalendarInputError(errors)


@transaction.atomic
def load_calendar_year(
    *, year: int, days: Iterable[DayEntry | tuple], source: str = "", actor=None
) -> CalendarYear:
    """Store the whole calendar of ``year`` (replacing what was there) and, after commit, send
    ``signals.calendar_year_loaded`` (cases then recompute every provisional deadline).
    ``days``: (date, is_workday, name) for each day that differs from the Monday–Friday rule."""
    from wangge.notifications.services import mark_read_by_key

    entries = [d if isinstance(d, DayEntry) else DayEntry(*d) for d in days]
    validate_year(year, entries)
    calendar_year, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": (source or "")[:200], "loaded_by": actor}
    )
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=e.date, is_workday=e.is_workday, name=e.name[:50]) for e in sorted(entries, key=lambda e: e.date)]
    )
    # The "load the calendar" alerts for this year are answered.
    mark_read_by_key(dedupe_key=f"calendar:{year}")
    calendar.invalidate()  # bulk_create sends no signal: this process reads the year at once
    # Deadlines counted on this calendar are recomputed by their owners (cases.receivers).
    transaction.on_commit(lambda: calendar_year_loaded.send(sender=CalendarYear, year=year))
    return calendar_year
