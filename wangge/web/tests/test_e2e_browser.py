"""End to end in a real browser (issue 3 §5): a resident reports with a photo on a phone → the
clerk accepts and dispatches on the workbench → the department officer resolves with a photo →
the resident tracks the case and rates the answer. Every step goes through the pages."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from wangge.cases.choices import CaseStatus, Channel, EventType, Satisfaction
from wangge.cases.models import Case
from wangge.testing import build_world, make_category

from .conftest import png_bytes
from .test_browser import open_action, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


def test_resident_to_clerk_to_officer_and_back(page_factory):
    cache.clear()  # the resident pages' rate limits count per process
    world = build_world()
    street = make_category("市容环境", code="street", resident_label="街道与环境")
    make_category("占道经营", code="street-stall", parent=street, department=world.departments["chengguan"],
                  resident_label="乱摆摊、占道经营", keywords="摊贩 占道")

    # --- the resident reports on a phone, with a photo and a tap on the map ---
    resident, _rwatch = page_factory(**PHONE)
    resident.goto("/r/report/")
    resident.get_by_text("街道与环境").click()
    resident.get_by_text("乱摆摊、占道经营").click()
    resident.get_by_test_id("description").fill("东门口每天早上有流动摊贩占道，老人推车过不去")
    resident.get_by_test_id("photos").set_input_files(
        [{"name": "stall.png", "mimeType": "image/png", "buffer": png_bytes()}])
    resident.get_by_test_id("map-details").locator("summary").click()  # the map: the second way to say where
    label = resident.locator("#report-map .leaflet-tooltip", has_text="东园第1网格")
    resident.get_by_test_id("report-map").scroll_into_view_if_needed()
    box = label.bounding_box()
    resident.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    resident.get_by_test_id("reporter-phone").fill("13900004321")
    resident.get_by_test_id("report-submit").click()
    expect(resident).to_have_url(re.compile(r"/r/report/done/"))
    number = resident.get_by_test_id("tracking-number").inner_text().strip()
    case = Case.objects.get(number=number)
    assert case.channel == Channel.WEB and case.attachments.count() == 1

    # --- the clerk sees it waiting, looks at the photo, accepts and dispatches ---
    staff, _swatch = page_factory()
    sign_in(staff, "clerk")
    expect(staff.locator("[data-testid=queue]")).to_contain_text(number)
    staff.locator("[data-testid=queue] a.casenum", has_text=number).click()
    photo = staff.locator(".detail-main .photos img").first
    expect(photo).to_be_visible()
    staff.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    expect(staff.locator("[data-testid=reporter]")).to_contain_text("139****4321")
    staff.click("[data-testid=do-accept]")
    expect(staff.locator(".badges .badge")).to_have_attribute("data-status", "accepted")
    expect(staff.locator("#id_dispatch-lead")).to_have_value(f"department:{world.departments['chengguan'].pk}")
    staff.fill("#id_dispatch-note", "请今天内处理")
    staff.click("[data-testid=do-dispatch]")
    expect(staff.locator(".badges .badge")).to_have_attribute("data-status", "dispatched")
    staff.click(".usermenu summary")
    staff.click(".usermenu-panel button[type=submit]")

    # --- the department officer resolves it from the notification ---
    sign_in(staff, "officer_cg")
    staff.click(".nav-notif")
    staff.locator("[data-testid=notifications] li", has_text=number).locator("a").first.click()
    expect(staff.locator(".crumbs")).to_contain_text(number)
    staff.click("[data-testid=do-claim]")
    expect(staff.locator(".badges .badge")).to_have_attribute("data-status", "in_progress")
    open_action(staff, "resolve")
    staff.fill("#id_resolve-result", "已劝离摊贩，城管中队每日早高峰巡查")
    staff.locator("#id_resolve-photos").set_input_files(
        [{"name": "after.png", "mimeType": "image/png", "buffer": png_bytes()}])
    staff.click("[data-testid=do-resolve]")
    expect(staff.locator(".badges .badge")).to_have_attribute("data-status", "resolved")
    expect(staff.locator("[data-testid=timeline]")).to_contain_text("已劝离摊贩")

    # --- the resident tracks it and rates the answer ---
    resident.get_by_test_id("nav-track").click()
    resident.get_by_test_id("track-number").fill(number)
    resident.get_by_test_id("track-phone").fill("4321")
    resident.get_by_test_id("track-submit").click()
    expect(resident.get_by_test_id("case-answer")).to_contain_text("已劝离摊贩")
    resident.get_by_text("满意", exact=True).click()
    resident.get_by_test_id("rate-comment").fill("很及时，谢谢")
    resident.get_by_test_id("rate-submit").click()
    expect(resident.get_by_test_id("case-rating")).to_contain_text("满意")

    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.satisfaction == Satisfaction.SATISFIED
    assert list(case.events.values_list("type", flat=True)) == [
        EventType.CREATED, EventType.ACCEPTED, EventType.DISPATCHED, EventType.CLAIMED, EventType.RESOLVED,
        EventType.RATED]

    # --- and the clerk sees the rating on the case ---
    staff.goto(f"/cases/{number}/")
    expect(staff.locator("[data-testid=timeline]")).to_contain_text("很及时，谢谢")
    expect(staff.locator("[data-testid=rating]")).to_contain_text("很及时，谢谢")  # shown as the outcome
    expect(staff.locator("[data-testid=answer-photos] img")).to_have_count(1)  # the answer's photo
