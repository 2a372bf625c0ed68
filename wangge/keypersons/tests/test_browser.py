"""A grid worker's round on a 360 px phone (headless Chromium): my key persons → record a visit →
one tap 六报 (a hazard becomes a patrol case) → today's diary lists both. No sideways scrolling,
no console error, no foreign request."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from wangge.cases.choices import Channel
from wangge.cases.models import Case
from wangge.keypersons.models import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_round_on_the_phone(world, register, page_factory, screenshot):
    person = register()
    page, watch = page_factory(**PHONE)
    page.goto("/login/")
    page.fill("#id_username", "worker_a1")
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")

    page.goto("/keypersons/")
    expect(page.get_by_test_id("kp-list")).to_contain_text("张**")
    assert fits(page)
    screenshot(page, "keypersons_mine_phone")
    page.get_by_test_id("kp-list").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"/keypersons/{person.pk}/$"))
    form = page.get_by_test_id("kp-visit-form")
    form.locator("textarea[name=found]").fill("老人身体不错，暖气正常")
    form.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/keypersons/$"))
    assert Visit.objects.get().found == "老人身体不错，暖气正常"

    page.goto("/keypersons/quick/")
    assert fits(page)
    page.fill("#q-note", "井盖松动")
    page.get_by_test_id("report-hazard").click()
    done = page.get_by_test_id("kp-quick-done")
    expect(done).to_contain_text("已上报“安全隐患”：已立案")
    case = Case.objects.get()
    expect(done.get_by_role("link", name=case.number)).to_be_visible()
    assert case.channel == Channel.PATROL
    screenshot(page, "keypersons_quick_done_phone")

    page.goto("/diary/")
    lines = page.get_by_test_id("diary-lines")
    expect(lines.first).to_contain_text("老人身体不错")
    expect(page.locator("main")).to_contain_text("安全隐患")
    assert fits(page)
    screenshot(page, "diary_today_phone")
    watch.check()
