"""Compliance figures: exact due / done / missed, per grid, community and worker; the page and API."""

from __future__ import annotations

import datetime as dt

import pytest

from wangge.cases.choices import Channel
from wangge.patrols import actions
from wangge.patrols.choices import FindingClass, PointClass
from wangge.patrols.figures import By, compliance
from wangge.testing import file_case, make_category

from .conftest import point_in, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(world, clock):
    """Mon 23 – Sun 29 Nov 2026: a daily point visited on 4 of the 7 days, a weekly one once, one
    daily visit cancelled; one finding resolved on the spot, one for the community; and today is
    Mon 30 Nov (the week's windows are all closed)."""
    clock.set(2026, 11, 23, 8)
    daily = point_in(world, active_from=dt.date(2026, 11, 23))
    weekly = point_in(world, name="银行", point_class=PointClass.BANK, active_from=dt.date(2026, 11, 23))
    b_point = point_in(world, 2, name="西园小吃", active_from=dt.date(2026, 11, 23))
    category = make_category("乱堆乱放")
    for day in (23, 24, 26, 28):
        clock.set(2026, 11, day, 9)
        actions.run_schedule()
        c = visit(world, daily).checkin
        if day == 24:
            actions.report_finding(actor=world.users["worker_a1"], checkin=c, description="垃圾", category=category,
                                   handling_class=FindingClass.GENERAL, result="清理")
        if day == 26:
            actions.report_finding(actor=world.users["worker_a1"], checkin=c, description="占道",
                                   handling_class=FindingClass.COORDINATION)
    visit(world, weekly)
    actions.cancel_slot(actor=world.users["chief_a1"], reason="停电", slot=daily.slots.get(window_start=dt.date(2026, 11, 27)))
    file_case(world, grid=world.grids[0])  # a resident's call
    clock.set(2026, 11, 30, 9)
    return {"daily": daily, "weekly": weekly, "b_point": b_point}


def test_grid_figures_count_exactly(world, week):
    figures = compliance(world.users["leader"], first=dt.date(2026, 11, 23), last=dt.date(2026, 11, 29), by=By.GRID)
    a1 = next(r for r in figures.rows if r.key == world.grids[0].pk)
    # daily: 7 windows − 1 cancelled = 6 due, 4 done, 2 missed; weekly: 1 due, 1 done.
    assert (a1.values["due"], a1.values["done"], a1.values["missed"]) == (7, 5, 2)
    assert a1.values["checkins"] == 5 and a1.values["findings"] == 2 and a1.values["on_the_spot"] == 1
    assert a1.values["patrol_cases"] == 2 and a1.values["resident_cases"] == 1
    assert a1.on_time_rate == pytest.approx(5 / 7, abs=1e-4) and a1.findings_per_patrol == pytest.approx(0.4)
    b1 = next(r for r in figures.rows if r.key == world.grids[2].pk)
    assert (b1.values["due"], b1.values["done"], b1.values["missed"]) == (7, 0, 7)
    assert figures.total.values["due"] == 14


def test_community_and_worker_figures(world, week):
    by_community = compliance(world.users["leader"], first=dt.date(2026, 11, 23), last=dt.date(2026, 11, 29),
                              by=By.COMMUNITY)
    assert {r.name: r.values["missed"] for r in by_community.rows} == {"东园社区": 2, "西园社区": 7}
    by_worker = compliance(world.users["leader"], first=dt.date(2026, 11, 23), last=dt.date(2026, 11, 29),
                           by=By.WORKER)
    worker = next(r for r in by_worker.rows if r.key == world.users["worker_a1"].pk)
    assert worker.values["done"] == 5 and worker.values["checkins"] == 5 and worker.values["on_the_spot"] == 1
    assert worker.values["patrol_cases"] == 2


def test_figures_are_scoped_to_the_viewers_territory(world, week):
    figures = compliance(world.users["secretary_b"], first=dt.date(2026, 11, 23), last=dt.date(2026, 11, 29))
    assert [r.key for r in figures.rows] == [world.grids[2].pk]


def test_the_figures_page_and_api(world, week, client):
    client.force_login(world.users["leader"])
    page = client.get("/patrols/figures/", {"first": "2026-11-23", "last": "2026-11-29"})
    assert page.status_code == 200 and "东园第1网格" in page.content.decode() and 'data-test="dashboard-tabs"' in page.content.decode()
    api = client.get("/api/v1/patrols/figures/", {"first": "2026-11-23", "last": "2026-11-29", "by": "community"})
    assert api.status_code == 200 and api.json()["total"]["missed"] == 9
    assert client.get("/api/v1/patrols/figures/", {"by": "planet"}).status_code == 400
    assert client.get("/api/v1/patrols/figures/", {"first": "yesterday"}).status_code == 400
    assert Channel.PATROL == "patrol"


def test_grids_are_listed_in_the_territorys_order_not_by_the_characters_of_their_names(world, week):
    """By name 第三 (U+4E09) sorts before 第二 (U+4E8C): the office reads 第一, 第二, 第三."""
    from wangge.org.models import Region

    Region.objects.filter(pk=world.grids[0].pk).update(name="和顺第二网格")
    Region.objects.filter(pk=world.grids[2].pk).update(name="和顺第三网格")
    figures = compliance(world.users["leader"], first=dt.date(2026, 11, 23), last=dt.date(2026, 11, 29), by=By.GRID)
    paths = dict(Region.objects.filter(pk__in=[r.key for r in figures.rows]).values_list("pk", "path"))
    assert [r.key for r in figures.rows] == sorted(paths, key=paths.get)
    assert [r.name for r in figures.rows] == ["和顺第二网格", "和顺第三网格"]
