"""The dashboard in headless Chromium: charts drawn, grid polygons on the map, 催办 inline."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from wangge.cases.choices import CaseStatus
from wangge.testing import build_world, case_in_state


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboard_renders_charts_map_and_urges(page_factory, screenshot, live_server):
    world = build_world()
    for status in [CaseStatus.CLOSED, CaseStatus.RESOLVED, CaseStatus.IN_PROGRESS, CaseStatus.SUBMITTED]:
        case_in_state(world, status)
    case_in_state(world, CaseStatus.IN_PROGRESS, grid=world.grids[3])
    overdue = case_in_state(world, CaseStatus.DISPATCHED, submitted_at=timezone.now() - dt.timedelta(days=20))
    client = Client()
    client.force_login(world.users["clerk"])

    page, _watch = page_factory(width=1600, height=1000)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    page.goto("/dashboard/?period=last90")
    for chart in ["chart-day", "chart-month", "chart-status", "chart-channel", "chart-category"]:
        page.wait_for_selector(f"#{chart} canvas")
    page.wait_for_selector("#cc-map path.leaflet-interactive")
    assert page.locator("#cc-map path.leaflet-interactive").count() == 4
    assert page.locator(".kpi-rate").count() == 4
    assert page.locator(".kpi-rate").first.get_attribute("title").startswith("响应率")
    # Legend classes are whole numbers up to the busiest grid: 3 open cases in grid 1, 1 in grid 4.
    assert page.locator("#map-legend span").all_inner_texts()[:-1] == ["0", "1", "2", "3"]
    page.locator("#map-mode button[data-mode=overdue]").click()
    assert page.locator("#map-legend span").all_inner_texts()[:-1] == ["0", "1"]
    screenshot(page, "dashboard")

    assert page.locator(f"#urge-count-{overdue.number}").inner_text() == "0"
    page.locator(f"#urge-{overdue.number} button").click()
    page.wait_for_selector(f"#urge-{overdue.number} .urge-ok")
    # The list's own 催办 column counts the urge at once, not after a reload.
    assert page.locator(f"#urge-count-{overdue.number}").inner_text() == "1"
    overdue.refresh_from_db()
    assert overdue.urge_count == 1
