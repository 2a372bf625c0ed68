"""Points, due windows and slots: exact windows, one slot per window, overdue and missed."""

from __future__ import annotations

import datetime as dt

import pytest

from wangge.core.errors import InvalidInput, InvalidState, NotFound
from wangge.patrols import actions, selectors
from wangge.patrols.choices import Frequency, PointClass, SlotStatus
from wangge.patrols.models import PointClassDefault, VisitSlot
from wangge.patrols.windows import window_of, windows_between

from .conftest import point_in, visit

pytestmark = pytest.mark.django_db


def test_windows_are_the_local_day_the_monday_to_sunday_week_and_the_calendar_month():
    assert window_of(Frequency.DAILY, dt.date(2026, 11, 25)) == (dt.date(2026, 11, 25), dt.date(2026, 11, 25))
    assert window_of(Frequency.WEEKLY, dt.date(2026, 11, 29)) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert window_of(Frequency.WEEKLY, dt.date(2026, 11, 30)) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6))
    assert window_of(Frequency.MONTHLY, dt.date(2028, 2, 10)) == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert window_of(Frequency.MONTHLY, dt.date(2026, 12, 31)) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    weeks = list(windows_between(Frequency.WEEKLY, dt.date(2026, 12, 30), dt.date(2027, 1, 5)))
    assert weeks == [(dt.date(2026, 12, 28), dt.date(2027, 1, 3)), (dt.date(2027, 1, 4), dt.date(2027, 1, 10))]


def test_classes_take_the_s0_defaults_and_the_office_can_change_them(world):
    assert point_in(world, name="a").frequency == Frequency.DAILY
    assert point_in(world, name="b", point_class=PointClass.MARKET).frequency == Frequency.WEEKLY
    assert point_in(world, name="c", point_class=PointClass.SCHOOL).frequency == Frequency.MONTHLY
    actions.set_class_default(actor=world.users["admin"], point_class=PointClass.MARKET, frequency=Frequency.DAILY)
    assert PointClassDefault.objects.get(point_class=PointClass.MARKET).frequency == Frequency.DAILY
    assert point_in(world, name="d", point_class=PointClass.MARKET).frequency == Frequency.DAILY
    with pytest.raises(Exception):
        actions.set_class_default(actor=world.users["worker_a1"], point_class=PointClass.BANK,
                                  frequency=Frequency.DAILY)


def test_a_worker_cannot_add_points_and_bad_input_writes_nothing(world):
    with pytest.raises(NotFound):
        point_in(world, name="x", actor=world.users["worker_a1"])
    with pytest.raises(InvalidInput):
        actions.create_point(actor=world.users["secretary_a"], grid=world.grids[0], name="  ",
                             point_class=PointClass.BANK, latitude=39.9, longitude=116.3)
    with pytest.raises(InvalidInput):
        actions.create_point(actor=world.users["secretary_a"], grid=world.grids[0], name="y",
                             point_class=PointClass.BANK, latitude=99, longitude=116.3)
    with pytest.raises(NotFound):  # community B's grid, for community A's secretary
        point_in(world, 2, name="z", actor=world.users["secretary_a"])
    assert not VisitSlot.objects.exists()


def test_a_daily_point_not_visited_yesterday_is_overdue_today(world, clock):
    clock.set(2026, 11, 24, 9)
    point = point_in(world, active_from=dt.date(2026, 11, 23))
    actions.generate_slots(first=dt.date(2026, 11, 23), last=dt.date(2026, 11, 24))
    today = selectors.today_for(world.users["worker_a1"], day=dt.date(2026, 11, 24))
    assert [v.point for v in today.overdue] == [point]
    assert today.overdue[0].slot.window_start == dt.date(2026, 11, 23)
    assert [v.point for v in today.due] == [point]
    # Exactly one missed slot, counted before and after the job marks it.
    assert selectors.missed_slots(VisitSlot.objects.all(), on=dt.date(2026, 11, 24)).count() == 1
    assert actions.close_past_slots(on=dt.date(2026, 11, 24)) == 1
    assert selectors.missed_slots(VisitSlot.objects.all(), on=dt.date(2026, 11, 24)).count() == 1
    # Visited today: no longer due, no longer overdue (but yesterday stays missed).
    visit(world, point)
    today = selectors.today_for(world.users["worker_a1"], day=dt.date(2026, 11, 24))
    assert today.due == [] and today.overdue == [] and today.done == 1
    assert VisitSlot.objects.get(window_start=dt.date(2026, 11, 23)).status == SlotStatus.MISSED


def test_a_weekly_point_visited_on_monday_is_not_due_again_until_next_monday(world, clock):
    clock.set(2026, 11, 23, 10)  # a Monday
    point = point_in(world, name="工行东园支行", point_class=PointClass.BANK)
    assert [v.point for v in selectors.today_for(world.users["worker_a1"]).due] == [point]
    visit(world, point)
    for day in range(23, 30):
        clock.set(2026, 11, day, 18)
        actions.run_schedule()
        today = selectors.today_for(world.users["worker_a1"])
        assert today.due == [] and today.overdue == [], day
    clock.set(2026, 11, 30, 8)  # next Monday
    actions.run_schedule()
    due = selectors.today_for(world.users["worker_a1"]).due
    assert [(v.point, v.slot.window_start) for v in due] == [(point, dt.date(2026, 11, 30))]
    # One slot per week (the job also makes the coming week's), however often it ran.
    starts = list(VisitSlot.objects.filter(point=point).values_list("window_start", flat=True))
    assert sorted(starts) == [dt.date(2026, 11, 23), dt.date(2026, 11, 30), dt.date(2026, 12, 7)]


def test_regenerating_and_backdating_never_make_a_second_slot(world, clock):
    clock.set(2026, 11, 25, 12)
    point = point_in(world, active_from=dt.date(2026, 11, 23))
    for _ in range(3):
        actions.generate_slots(first=dt.date(2026, 11, 23), last=dt.date(2026, 11, 26))
    assert VisitSlot.objects.filter(point=point).count() == 4
    # A check-in backdated into yesterday fills yesterday's slot; repeated, it adds nothing.
    visit(world, point, at=dt.datetime(2026, 11, 24, 17, tzinfo=clock.at.tzinfo))
    visit(world, point, at=dt.datetime(2026, 11, 24, 18, tzinfo=clock.at.tzinfo))
    assert VisitSlot.objects.filter(point=point).count() == 4
    slot = VisitSlot.objects.get(point=point, window_start=dt.date(2026, 11, 24))
    assert slot.status == SlotStatus.DONE and slot.checkin.client_time.hour == 9  # 17:00 +08 = 09:00 UTC


def test_a_slot_is_cancelled_only_with_a_reason_by_its_managers(world, daily_point):
    slot = VisitSlot.objects.get(point=daily_point)
    with pytest.raises(InvalidInput):
        actions.cancel_slot(actor=world.users["chief_a1"], slot=slot, reason="  ")
    with pytest.raises(NotFound):
        actions.cancel_slot(actor=world.users["worker_a1"], slot=slot, reason="节日停业")
    with pytest.raises(NotFound):
        actions.cancel_slot(actor=world.users["secretary_b"], slot=slot, reason="节日停业")
    slot = actions.cancel_slot(actor=world.users["chief_a1"], slot=slot, reason="节日停业")
    assert slot.status == SlotStatus.CANCELLED and slot.cancel_reason == "节日停业"
    assert selectors.today_for(world.users["worker_a1"]).due == []
    with pytest.raises(InvalidState):
        actions.cancel_slot(actor=world.users["chief_a1"], slot=slot, reason="again")


def test_a_visited_slot_cannot_be_cancelled(world, daily_point):
    visit(world, daily_point)
    with pytest.raises(InvalidState):
        actions.cancel_slot(actor=world.users["chief_a1"], slot=VisitSlot.objects.get(point=daily_point), reason="x")


def test_due_visits_are_sorted_nearest_first_when_the_phone_sends_its_position(world):
    lng, lat = world.point_in(world.grids[0])
    far = actions.create_point(actor=world.users["secretary_a"], grid=world.grids[0], name="far", point_class="main_road",
                               latitude=lat + 0.004, longitude=lng)
    near = actions.create_point(actor=world.users["secretary_a"], grid=world.grids[0], name="near",
                                point_class="main_road", latitude=lat + 0.001, longitude=lng)
    today = selectors.today_for(world.users["worker_a1"], latitude=lat, longitude=lng)
    assert [v.point for v in today.due] == [near, far]
    assert 100 < today.due[0].distance_m < 120


def test_a_worker_sees_their_own_points_and_the_chief_the_whole_grid(world):
    from wangge.org.choices import Role
    from wangge.testing.factories import make_user

    mine = point_in(world, name="mine")
    colleague = make_user(Role.GRID_WORKER, region=world.grids[0], username="worker_a1b")
    other = point_in(world, name="other")
    actions.update_point(actor=world.users["chief_a1"], point=other, responsible=colleague)
    assert {v.point for v in selectors.today_for(world.users["worker_a1"]).due} == {mine}
    assert {v.point for v in selectors.today_for(colleague).due} == {mine, other}
    assert {v.point for v in selectors.today_for(world.users["chief_a1"]).due} == {mine, other}
