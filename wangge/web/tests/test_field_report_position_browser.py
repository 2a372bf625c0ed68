"""使用我的位置 on the worker's field report, on a phone: what the phone says in Chinese when
location is refused, and a position outside every grid that the worker can drop to file the
report in the grid they chose (it used to stay in the form, refused again at every send)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from wangge.cases.channels import Channel
from wangge.cases.models import Case

from .test_browser_roles import PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_location_refused_by_the_browser_is_said_in_chinese(page_factory, world):
    page, watch = page_factory(**PHONE)  # no geolocation permission: the browser refuses
    sign_in(page, "worker_a1")
    page.goto("/field/report/")
    page.get_by_test_id("geolocate").click()
    expect(page.get_by_test_id("geo-status")).to_have_text("本网站未获准定位：请在浏览器中允许定位，或直接选择网格。")
    expect(page.get_by_test_id("geo-forget")).to_be_hidden()
    watch.check()


def test_a_position_outside_every_grid_can_be_dropped_for_the_chosen_grid(page_factory, screenshot, world):
    page, watch = page_factory(**PHONE, geolocation={"latitude": 31.23, "longitude": 121.47},
                               permissions=["geolocation"])
    sign_in(page, "worker_a1")
    page.goto("/field/report/")
    page.locator("#id_description").fill("巷口路灯不亮")
    page.get_by_test_id("geolocate").click()
    expect(page.get_by_test_id("geo-status")).to_have_text("已定位（31.23000, 121.47000），按此位置确定网格。")
    page.get_by_test_id("field-report-form").locator("button[type=submit]").click()

    # Refused, nothing filed; the form comes back with the position and the way to drop it.
    expect(page.locator(".form-error")).to_contain_text("该位置不在本平台任何网格范围内。")
    assert not Case.objects.exists()
    expect(page.get_by_test_id("geo-status")).to_contain_text("31.23000")
    forget = page.get_by_test_id("geo-forget")
    expect(forget).to_be_visible()
    screenshot(page, "field_report_position_outside_phone")
    forget.click()
    expect(page.get_by_test_id("geo-status")).to_have_text("已不用定位，按上面所选网格上报。")
    expect(forget).to_be_hidden()
    page.get_by_test_id("field-report-form").locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cases/WG"))
    case = Case.objects.get()
    assert case.grid_id == world.grids[0].pk and case.channel == Channel.PATROL and case.longitude is None

    # Choosing a grid by hand after using the position: the hand-picked grid is what is meant.
    page.goto("/field/report/")
    page.get_by_test_id("geolocate").click()
    expect(forget).to_be_visible()
    page.locator("select[name=place]").select_option(str(world.grids[0].pk))
    expect(forget).to_be_hidden()
    assert page.locator("[name=longitude]").input_value() == ""
    watch.check()
