"""Deadline maths (时限): pure functions over a WorkdayCalendar. No database here.

Rules:
- minutes and hours are calendar time;
- N working days end at 23:59:59 (Asia/Shanghai) of the N-th working day after the day the
  clock started (that day not counted), following official holidays and make-up working days;
- a deadline that relied on a year nobody has loaded is *provisional* (Monday–Friday rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from wangge.workdays.calendar import WorkdayCalendar

from .choices import DurationUnit, Light, Stage

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
STAGES = (Stage.ACCEPT, Stage.DISPATCH, Stage.RESOLVE)


@dataclass(frozen=True)
class Deadline:
    at: dt.datetime
    provisional: bool


def add_duration(start: dt.datetime, value: int, unit: str, calendar: WorkdayCalendar) -> Deadline:
    if unit == DurationUnit.MINUTES:
        return Deadline(start + dt.timedelta(minutes=value), False)
    if unit == DurationUnit.HOURS:
        return Deadline(start + dt.timedelta(hours=value), False)
    if unit == DurationUnit.WORKING_DAYS:
        local_day = start.astimezone(LOCAL_TZ).date()
        end_day, provisional = calendar.add_working_days(local_day, value)
        end = dt.datetime.combine(end_day, dt.time(23, 59, 59), tzinfo=LOCAL_TZ)
        return Deadline(end.astimezone(dt.timezone.utc), provisional)
    raise ValueError(f"unknown duration unit {unit!r}")


def stage_deadlines(start: dt.datetime, policy, calendar: WorkdayCalendar) -> dict[str, Deadline]:
    """Deadline of every stage, all counted from ``start`` (when the clock started)."""
    return {stage: add_duration(start, *policy.target(stage), calendar) for stage in STAGES}


def light_at(now: dt.datetime, started: dt.datetime, due: dt.datetime, amber_ratio: float) -> Light:
    if now >= due:
        return Light.RED
    if now >= amber_from(started, due, amber_ratio):
        return Light.AMBER
    return Light.GREEN


def amber_from(started: dt.datetime, due: dt.datetime, amber_ratio: float) -> dt.datetime:
    return started + (due - started) * amber_ratio


def next_check(now: dt.datetime, started: dt.datetime, due: dt.datetime, amber_ratio: float) -> dt.datetime | None:
    """When the light of this stage next changes (amber, then red), or None once red."""
    amber = amber_from(started, due, amber_ratio)
    if now < amber:
        return amber
    if now < due:
        return due
    return None


def time_left(now: dt.datetime, due: dt.datetime) -> dt.timedelta:
    return due - now
