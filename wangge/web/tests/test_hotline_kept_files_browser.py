"""The hotline form's default action is 保存登记 (headless Chromium, scripts off as a browser without
them or a page whose script failed): Enter in a one-line field never presses 移除 of a file kept
with the call (附件已保留), nor 仍然登记为新事件 — it saves, which asks about the duplicate again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from wangge.cases.models import Case
from wangge.core.testing import png_bytes
from wangge.testing import file_case
from wangge.web.models import HeldUpload

from .test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAME_PROBLEM = "路边有人摆摊占道，堵住了盲道"


def test_enter_in_a_field_saves_and_keeps_the_kept_files(page_factory, world, categories):
    earlier = file_case(world, grid=world.grids[1], category=categories["street"], description=SAME_PROBLEM,
                        address="和平路8号")
    page, _watch = page_factory(java_script_enabled=False)
    sign_in(page, "clerk")
    page.goto("/cases/new/")
    page.fill("#id_description", SAME_PROBLEM)
    page.select_option("#id_category", str(categories["street"].pk))
    page.select_option("#id_grid", str(world.grids[1].pk))
    page.fill("#id_address", "和平路8号")
    page.locator("details.more summary").click()
    page.set_input_files("#id_attachments", {"name": "摊位.png", "mimeType": "image/png", "buffer": png_bytes()})
    page.click("[data-testid=save-case]")
    kept = page.locator("[data-testid=held-uploads]")
    expect(page.locator("[data-testid=duplicate-confirm]")).to_be_visible()
    expect(kept).to_contain_text("摊位.png")

    # Enter while the duplicate is asked about: not 仍然登记为新事件 — asked again, the file still kept.
    page.locator("#id_reporter_name").press("Enter")
    expect(page.locator("[data-testid=duplicate-confirm]")).to_be_visible()
    expect(kept).to_contain_text("摊位.png")
    assert list(Case.objects.values_list("pk", flat=True)) == [earlier.pk]

    # The form back with a mistake (no description) and the file kept: Enter does not remove it.
    page.fill("#id_description", "")
    page.click("[data-testid=file-anyway]")
    expect(page.locator("[data-testid=duplicate-confirm]")).to_have_count(0)
    expect(kept).to_contain_text("摊位.png")
    page.fill("#id_description", SAME_PROBLEM)
    page.locator("#id_reporter_name").press("Enter")
    expect(page.locator("[data-testid=duplicate-confirm]")).to_be_visible()
    expect(kept).to_contain_text("摊位.png")
    assert HeldUpload.objects.count() == 1

    page.click("[data-testid=file-anyway]")
    expect(page.locator("h1")).to_contain_text("摆摊占道")
    case = Case.objects.exclude(pk=earlier.pk).get()
    assert [a.original_name for a in case.attachments.all()] == ["摊位.png"]


def test_removing_a_kept_file_comes_back_at_the_list(page_factory, world, categories):
    """移除 is far down the form: the page that comes back shows the list of kept files, not the top
    of the form; the next save asks about the duplicate at the top again."""
    file_case(world, grid=world.grids[1], category=categories["street"], description=SAME_PROBLEM, address="和平路8号")
    page, _watch = page_factory(width=390, height=844)
    sign_in(page, "clerk")
    page.goto("/cases/new/")
    page.fill("#id_description", SAME_PROBLEM)
    page.select_option("#id_category", str(categories["street"].pk))
    page.select_option("#id_grid", str(world.grids[1].pk))
    page.locator("details.more summary").click()
    page.set_input_files("#id_attachments", [
        {"name": "摊位.png", "mimeType": "image/png", "buffer": png_bytes()},
        {"name": "盲道.png", "mimeType": "image/png", "buffer": png_bytes(colour="blue")}])
    page.click("[data-testid=save-case]")
    kept = page.locator("[data-testid=held-uploads]")
    expect(kept).to_contain_text("盲道.png")
    kept.get_by_role("button").first.click()
    expect(kept).not_to_contain_text("摊位.png")
    expect(kept).to_contain_text("盲道.png")
    expect(kept).to_be_in_viewport()
    page.click("[data-testid=save-case]")
    expect(page.locator("[data-testid=duplicate-confirm]")).to_be_in_viewport()
    expect(kept).to_contain_text("盲道.png")
