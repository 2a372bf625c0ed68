"""我的个人信息 in headless Chromium on a 360×740 phone: from the footer, phone, code, the data,
a correction request. No address the browser visits holds the number; nothing scrolls sideways."""

from __future__ import annotations

import importlib

import pytest
from playwright.sync_api import expect

from wangge.notifications.models import MessageTemplate, OutboundMessage
from wangge.residents import personal_data
from wangge.testing import build_world, file_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
NUMBER = "13812341234"


def test_resident_sees_their_data_and_asks_for_a_correction_on_a_phone(page_factory, screenshot, monkeypatch):
    # The code the resident's phone receives: the outbox shows it to nobody (masked, and gone once
    # sent), so the test knows it the way the phone does — from the one the platform drew.
    monkeypatch.setattr(personal_data.secrets, "randbelow", lambda _n: 246810)
    # The SMS texts come from a data migration, which an earlier transactional test's flush empties.
    for values in importlib.import_module("wangge.residents.migrations.0003_message_templates").DEFAULTS:
        MessageTemplate.objects.get_or_create(key=values["key"], defaults=values)
    world = build_world()
    code = "246810"
    case = file_case(world, reporter_phone=NUMBER, reporter_name="张三")
    page, watch = page_factory(**PHONE)
    visited = []
    page.on("request", lambda r: visited.append(r.url))

    page.goto("/r/report/")
    page.get_by_test_id("foot-mydata").click()
    expect(page.get_by_role("heading", name="我的个人信息")).to_be_visible()
    page.get_by_test_id("mydata-phone").fill(NUMBER)
    page.get_by_test_id("mydata-send").click()
    expect(page.get_by_test_id("mydata-sent")).to_contain_text("138****1234")

    assert OutboundMessage.objects.filter(template=personal_data.CODE_TEMPLATE).count() == 1
    page.get_by_test_id("mydata-code").fill(f"{(int(code) + 1) % 10**6:06d}")
    page.get_by_test_id("mydata-verify").click()
    expect(page.get_by_test_id("mydata-code-error")).to_contain_text("验证码不正确")
    page.get_by_test_id("mydata-code").fill(code)
    page.get_by_test_id("mydata-verify").click()

    expect(page.get_by_test_id("mydata-phone-full")).to_have_text(NUMBER)
    expect(page.get_by_test_id("mydata-report")).to_contain_text(case.number)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "resident_mydata_phone")

    page.get_by_test_id("mydata-details").fill("名字应为张叁")
    page.get_by_test_id("mydata-request-send").click()
    expect(page.get_by_test_id("message")).to_contain_text("已收到您的申请")
    expect(page.get_by_test_id("mydata-request-status")).to_have_text("待处理")

    # The report's tracking page opens from the list.
    page.get_by_test_id("mydata-report").get_by_role("link").click()
    expect(page.get_by_test_id("case-number")).to_have_text(case.number)
    assert not [url for url in visited if NUMBER in url]
