"""码上办 on a phone, in headless Chromium: scan a building's code → the report page with the place
filled in and locked → report → the tracking page. Any console error or foreign request fails."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from wangge.cases.choices import Channel
from wangge.cases.models import Case
from wangge.intake.qrcodes import actions, selectors
from wangge.org.choices import RegionLevel
from wangge.testing import make_category
from wangge.testing.factories import add_region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


def test_scan_report_and_track_on_a_phone(world, page_factory, screenshot):
    building = add_region(world.grids[0], RegionLevel.BUILDING, "3号楼")
    make_category("路灯损坏", code="street-light", resident_label="路灯不亮")
    code = actions.create_qr_code(actor=world.users["clerk"], region=building, label="一单元门口")
    page, watch = page_factory(**PHONE)

    page.goto(selectors.scan_path(code))
    expect(page).to_have_url(re.compile(r"/r/report/\?qr="))
    expect(page.get_by_test_id("qr-place-name")).to_have_text("东园社区 · 东园第1网格 · 3号楼")
    expect(page.get_by_test_id("report-map")).to_have_count(0)
    expect(page.get_by_test_id("region")).to_have_count(0)

    page.get_by_text("路灯不亮").click()
    page.get_by_test_id("description").fill("3号楼一单元门口的路灯不亮了，晚上很黑")
    page.get_by_test_id("reporter-phone").fill("13900004321")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "qr_report_phone")
    page.get_by_test_id("report-submit").click()

    expect(page).to_have_url(re.compile(r"/r/report/done/"))
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    case = Case.objects.get(number=number)
    assert case.channel == Channel.QR_PAGE and case.region == building and case.grid == world.grids[0]

    page.get_by_test_id("open-tracking").click()
    expect(page.get_by_test_id("case-number")).to_contain_text(number)
    expect(page.get_by_test_id("status-words")).to_be_visible()
    watch.check()
