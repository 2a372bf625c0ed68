"""The import in a real browser: upload, the preview and the report, the mode, the progress."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from wangge.cases.models import Case

from .conftest import csv_bytes, order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_uploads_reads_the_preview_and_watches_the_import(page_factory, screenshot, world, source, tmp_path):
    path = tmp_path / "12345工单.csv"
    path.write_bytes(csv_bytes([order(1), order(2, 联系电话="12345"), order(3)], encoding="gbk"))
    page, _watch = page_factory()
    page.goto("/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    expect(page.locator(".topbar .uname")).to_have_text("clerk")

    page.goto("/intake/12345/")
    page.set_input_files("#id_file", str(path))
    page.click("[data-testid=upload-form] button[type=submit]")

    # The check ran (at once under the test settings): preview and row-by-row report, in Chinese.
    expect(page.locator("[data-testid=preview]")).to_contain_text("GD2026030100001")
    expect(page.locator("[data-testid=problems]")).to_contain_text("不是有效的电话号码")
    expect(page.locator("[data-testid=invalid]")).to_have_text("1")
    screenshot(page, "import12345_preview")

    page.check("input[name=mode][value=valid]")
    page.click("[data-testid=start]")
    expect(page.locator("[data-testid=progress]")).to_have_attribute("data-status", "done")
    expect(page.locator("[data-testid=percent]")).to_have_text("100%")
    expect(page.locator("[data-testid=filed]")).to_have_text("2")
    screenshot(page, "import12345_done")
    assert Case.objects.filter(source="12345").count() == 2
