"""Deadline maths (时限) on the official calendar: real holidays and make-up working days, calendar
time targets, the amber threshold, and a deadline that runs into a year nobody has loaded."""

from __future__ import annotations

import datetime as dt

import pytest

from wangge.cases import sla
from wangge.cases.choices import CaseStatus, DurationUnit, EventType, Light, Stage
from wangge.cases.models import Case, SlaPolicy
from wangge.notifications.models import Notification, NotificationKind
from wangge.testing import file_case, make_category, make_user
from wangge.workdays.calendar import WorkdayCalendar
from wangge.workdays.services import load_calendar_year

from .core_helpers import clock, local  # noqa: F401 (fixture)

CAL = WorkdayCalendar()  # chinesecalendar only


def working_days(start: str, n: int, calendar: WorkdayCalendar = CAL) -> sla.Deadline:
    return sla.add_duration(local(start), n, DurationUnit.WORKING_DAYS, calendar)


# ---------------------------------------------------------------------------------------------
# National Day 2025: Oct 1–8 off; Sunday Sep 28 and Saturday Oct 11 are make-up working days.
# ---------------------------------------------------------------------------------------------


def test_national_day_2025_five_working_days_from_the_eve():
    # Filed on Sep 30: Oct 1–8 do not count; Oct 9, 10, 11 (Sat, make-up), 13, 14.
    deadline = working_days("2025-09-30 16:30", 5)
    assert deadline.at == local("2025-10-14 23:59:59")
    assert deadline.provisional is False


@pytest.mark.parametrize(
    "start, n, due",
    [
        ("2025-09-26 10:00", 1, "2025-09-28"),  # Friday → the make-up Sunday
        ("2025-09-27 10:00", 1, "2025-09-28"),  # filed on a Saturday
        ("2025-09-28 10:00", 1, "2025-09-29"),
        ("2025-09-30 23:30", 1, "2025-10-09"),  # late evening of the eve
        ("2025-10-03 09:00", 1, "2025-10-09"),  # filed during the holiday
        ("2025-10-10 09:00", 1, "2025-10-11"),  # Friday → the make-up Saturday
        ("2025-09-30 00:05", 10, "2025-10-21"),
    ],
)
def test_national_day_2025_table(start, n, due):
    assert working_days(start, n).at == local(f"{due} 23:59:59")


def test_the_day_is_the_local_day_not_utc():
    # 2025-09-30 23:30 in Beijing is still Sep 30 although it is 15:30 UTC; 00:30 on Oct 1 is not.
    utc_start = local("2025-09-30 23:30").astimezone(dt.timezone.utc)
    assert sla.add_duration(utc_start, 1, DurationUnit.WORKING_DAYS, CAL).at == local("2025-10-09 23:59:59")
    assert working_days("2025-10-01 00:30", 1).at == local("2025-10-09 23:59:59")


# ---------------------------------------------------------------------------------------------
# Spring Festival 2026 (chinesecalendar 1.11): Feb 15–23 off; Saturdays Feb 14 and Feb 28 worked.
# ---------------------------------------------------------------------------------------------


def test_spring_festival_2026_calendar_is_the_official_one():
    off = [dt.date(2026, 2, d) for d in range(15, 24)]
    assert all(CAL.is_workday(d) == (False, False) for d in off)
    assert CAL.is_workday(dt.date(2026, 2, 14)) == (True, False)
    assert CAL.is_workday(dt.date(2026, 2, 28)) == (True, False)


@pytest.mark.parametrize(
    "start, n, due",
    [
        ("2026-02-16 20:00", 5, "2026-02-28"),  # 除夕 (eve): Feb 24, 25, 26, 27, 28 (Sat, make-up)
        ("2026-02-16 20:00", 6, "2026-03-02"),
        ("2026-02-13 17:00", 1, "2026-02-14"),  # eve of the holiday, Friday → make-up Saturday
        ("2026-02-13 17:00", 2, "2026-02-24"),
        ("2026-02-13 17:00", 5, "2026-02-27"),
        ("2026-02-13 17:00", 15, "2026-03-12"),  # cross-department: 14, 24–28, Mar 2–6, 9–12
    ],
)
def test_spring_festival_2026_table(start, n, due):
    deadline = working_days(start, n)
    assert deadline.at == local(f"{due} 23:59:59")
    assert deadline.provisional is False


# ---------------------------------------------------------------------------------------------
# Calendar-time targets and the light
# ---------------------------------------------------------------------------------------------


def test_minutes_and_hours_are_calendar_time_even_over_holidays():
    start = local("2025-09-30 22:00")
    assert sla.add_duration(start, 1, DurationUnit.MINUTES, CAL).at == local("2025-09-30 22:01")
    assert sla.add_duration(start, 15, DurationUnit.MINUTES, CAL).at == local("2025-09-30 22:15")
    assert sla.add_duration(start, 24, DurationUnit.HOURS, CAL) == sla.Deadline(local("2025-10-01 22:00"), False)


def test_stage_deadlines_of_the_default_policy():
    policy = SlaPolicy(name="x")  # accept 1 min, dispatch 15 min, resolve 5 working days
    deadlines = sla.stage_deadlines(local("2025-09-30 10:00"), policy, CAL)
    assert deadlines[Stage.ACCEPT].at == local("2025-09-30 10:01")
    assert deadlines[Stage.DISPATCH].at == local("2025-09-30 10:15")
    assert deadlines[Stage.RESOLVE].at == local("2025-10-14 23:59:59")


def test_light_turns_amber_at_80_percent_then_red():
    started, due = local("2026-03-02 08:00"), local("2026-03-02 18:00")  # 10 hours
    assert sla.light_at(local("2026-03-02 15:59"), started, due, 0.8) == Light.GREEN
    assert sla.light_at(local("2026-03-02 16:00"), started, due, 0.8) == Light.AMBER
    assert sla.light_at(local("2026-03-02 17:59"), started, due, 0.8) == Light.AMBER
    assert sla.light_at(due, started, due, 0.8) == Light.RED
    assert sla.next_check(local("2026-03-02 09:00"), started, due, 0.8) == local("2026-03-02 16:00")
    assert sla.next_check(local("2026-03-02 16:30"), started, due, 0.8) == due
    assert sla.next_check(local("2026-03-02 18:30"), started, due, 0.8) is None


def test_amber_threshold_is_configurable(world, clock, settings):
    assert SlaPolicy().amber_ratio == 0.8
    settings.WANGGE_AMBER_RATIO = 0.6
    assert SlaPolicy().amber_ratio == 0.6  # the default of a new policy follows the setting

    policy = SlaPolicy.objects.create(name="半程亮黄灯", resolve_value=10, resolve_unit="hours", amber_ratio=0.5)
    clock.set(local("2026-03-02 08:00"))
    case = file_case(world, category=make_category(policy=policy))
    started = case.clock_started_at
    assert sla.light_at(started + dt.timedelta(hours=4, minutes=59), started, case.resolve_due_at, 0.5) == Light.GREEN
    assert sla.light_at(started + dt.timedelta(hours=5), started, case.resolve_due_at, 0.5) == Light.AMBER


# ---------------------------------------------------------------------------------------------
# A deadline in a year nobody has loaded (chinesecalendar stops at 2026)
# ---------------------------------------------------------------------------------------------


def test_unknown_year_falls_back_to_monday_to_friday_and_says_so():
    # Dec 29, 30, 31 (2026, known), then Fri Jan 1 2027 and Mon Jan 4 by the Mon–Fri rule.
    deadline = working_days("2026-12-28 10:00", 5)
    assert deadline == sla.Deadline(local("2027-01-04 23:59:59"), True)
    assert working_days("2026-12-28 10:00", 3) == sla.Deadline(local("2026-12-31 23:59:59"), False)


def test_intake_into_an_unloaded_year_then_loading_it_recomputes(world, clock, django_capture_on_commit_callbacks):
    clock.set(local("2026-12-28 10:00"))
    superuser = make_user(username="root", is_superuser=True)
    admin = world.users["admin"]
    case = file_case(world, category=make_category(department=world.departments["chengguan"]))
    assert case.status == CaseStatus.SUBMITTED  # intake never fails on the calendar
    assert case.deadline_provisional is True
    assert case.resolve_due_at == local("2027-01-04 23:59:59")
    alerts = Notification.objects.filter(kind=NotificationKind.CALENDAR)
    assert set(alerts.values_list("recipient", flat=True)) == {admin.pk, superuser.pk}
    assert "2027" in alerts.first().message
    file_case(world)  # a second such case does not alert the admins again
    assert alerts.count() == 2

    # The State Council notice for 2027: New Year's Day on Friday Jan 1, no make-up day.
    with django_capture_on_commit_callbacks(execute=True):
        load_calendar_year(year=2027, days=[(dt.date(2027, 1, 1), False, "元旦")], source="国办发明电", actor=admin)
    case.refresh_from_db()
    assert case.deadline_provisional is False
    assert case.resolve_due_at == local("2027-01-05 23:59:59")
    event = case.events.get(type=EventType.DEADLINES_RECOMPUTED)
    assert event.data["provisional"] == [True, False]
    assert event.data["old"]["resolve"] == local("2027-01-04 23:59:59").astimezone(dt.timezone.utc).isoformat()
    assert not Notification.objects.filter(kind=NotificationKind.CALENDAR, read_at__isnull=True).exists()


def test_recompute_keeps_paused_time_and_approved_extensions(world, clock, django_capture_on_commit_callbacks):
    from wangge.cases import actions
    from wangge.testing import case_in_state

    clock.set(local("2026-12-21 10:00"))  # Monday
    case = case_in_state(world, CaseStatus.IN_PROGRESS)
    assert case.resolve_due_at == local("2026-12-28 23:59:59") and not case.deadline_provisional
    officer, clerk = world.users["chengguan"], world.users["clerk"]
    request = actions.request_extension(case=case, actor=officer, working_days=5, reason="等待配件")
    actions.decide_extension(request=request, actor=clerk, approve=True)
    case.refresh_from_db()
    # Dec 29, 30, 31, Jan 1 (Fri, guessed), Jan 4.
    assert case.resolve_due_at == local("2027-01-04 23:59:59") and case.deadline_provisional
    assert Notification.objects.filter(kind=NotificationKind.CALENDAR, recipient=world.users["admin"]).exists()
    clock.advance(hours=2)
    actions.suspend_case(case=case, actor=officer, reason="等业主")
    clock.advance(hours=3)
    actions.resume_case(case=case, actor=officer)
    case.refresh_from_db()
    assert case.resolve_due_at == local("2027-01-05 02:59:59")

    with django_capture_on_commit_callbacks(execute=True):
        load_calendar_year(year=2027, days=[(dt.date(2027, 1, 1), False, "元旦")], actor=clerk)
    case.refresh_from_db()
    # Extension from Dec 28: Dec 29, 30, 31, Jan 4, Jan 5; then the 3 paused hours.
    assert case.resolve_due_at == local("2027-01-06 02:59:59")
    assert case.deadline_provisional is False


def test_loaded_year_overrides_follow_the_table():
    calendar = WorkdayCalendar(
        overrides={dt.date(2027, 2, 8): False, dt.date(2027, 2, 6): True}, loaded_years=frozenset({2027})
    )
    assert calendar.is_workday(dt.date(2027, 2, 6)) == (True, False)  # Saturday, make-up
    assert calendar.is_workday(dt.date(2027, 2, 8)) == (False, False)  # Monday, holiday
    assert calendar.is_workday(dt.date(2027, 2, 9)) == (True, False)
    assert calendar.is_workday(dt.date(2028, 2, 9)) == (True, True)  # 2028: guessed


def test_light_and_next_check_on_a_filed_case(world, clock):
    clock.set(local("2026-03-02 09:00"))
    case = file_case(world)
    # Accept within 1 minute: amber after 48 s, next look then.
    assert case.light == Light.GREEN
    assert case.next_check_at == case.clock_started_at + dt.timedelta(seconds=48)
    assert Case.objects.filter(next_check_at__isnull=False).count() == 1
