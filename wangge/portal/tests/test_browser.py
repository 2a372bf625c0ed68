"""The resident pages in headless Chromium on a 360×740 phone: report with a photo and a tap on
the grid map, track by number + phone digits, rate. Any console error or foreign request fails."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from wangge.cases import actions
from wangge.cases.choices import CaseStatus, Channel, Satisfaction
from wangge.cases.models import Case
from wangge.testing import build_world, file_case, make_category

from .conftest import png, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


def setup_world():
    world = build_world()
    street = make_category("市容环境", code="street", resident_label="街道与环境")
    make_category("占道经营", code="street-stall", parent=street, department=world.departments["chengguan"],
                  resident_label="乱摆摊、占道经营")
    make_category("路灯损坏", code="street-light", parent=street, resident_label="路灯不亮")
    return world


def test_resident_reports_tracks_and_rates_on_a_phone(page_factory, screenshot):
    world = setup_world()
    page, watch = page_factory(**PHONE)

    # --- report: kind of problem, words, a photo, a tap on the map ---
    page.goto("/r/report/")
    page.get_by_text("街道与环境").click()
    page.get_by_text("乱摆摊、占道经营").click()
    page.get_by_test_id("description").fill("小区东门口有流动摊贩占道经营，早上出门很难走")
    page.get_by_test_id("photos").set_input_files(
        [{"name": "stall.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    expect(page.locator("#photo-previews img")).to_have_count(1)

    # The map is the second way of saying where (after the address search): open it.
    page.get_by_test_id("map-details").locator("summary").click()
    label = page.locator("#report-map .leaflet-tooltip", has_text="东园第1网格")
    expect(label).to_be_visible()
    page.get_by_test_id("report-map").scroll_into_view_if_needed()
    box = label.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.get_by_test_id("map-status")).to_contain_text("已选择：东园第1网格")
    assert page.locator("#id_longitude").input_value() != ""
    expect(page.get_by_test_id("region")).to_have_value(str(world.grids[0].pk))

    page.get_by_test_id("reporter-phone").fill("13900005678")
    no_sideways_scroll(page)
    screenshot(page, "resident_report_phone")
    page.get_by_test_id("report-submit").click()

    expect(page).to_have_url(re.compile(r"/r/report/done/"))
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    case = Case.objects.get(number=number)
    assert case.channel == Channel.WEB and case.grid == world.grids[0] and case.category.code == "street-stall"
    assert case.longitude is not None and case.attachments.count() == 1
    expect(page.get_by_test_id("tracking-link")).to_have_value(re.compile(rf"/r/t/{re.escape(case.tracking_token)}/$"))

    # --- the sub-district works on it ---
    clerk, officer = world.users["clerk"], world.users["chengguan"]
    actions.accept_case(case=case, actor=clerk)
    actions.dispatch_case(case=case, actor=clerk, lead=actions.Target(department=world.departments["chengguan"]))
    actions.claim_case(case=case, actor=officer)
    actions.resolve_case(case=case, actor=officer, result="已劝离摊贩，并安排每日早高峰巡查", attachments=[png("after.png")])

    # --- track by number + last 4 digits ---
    page.get_by_test_id("nav-track").click()
    page.get_by_test_id("track-number").fill(number)
    page.get_by_test_id("track-phone").fill("5678")
    page.get_by_test_id("track-submit").click()
    expect(page.get_by_test_id("status-words")).to_have_text("已办结，请您评价")
    expect(page.get_by_test_id("case-answer")).to_contain_text("已劝离摊贩")
    expect(page.get_by_test_id("timeline")).to_contain_text("已派至区城管执法局处理")
    answer_photo = page.get_by_test_id("case-answer").get_by_test_id("photo")
    expect(answer_photo).to_have_count(1)
    answer_photo.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=answer_photo.element_handle())
    no_sideways_scroll(page)
    screenshot(page, "resident_track_phone")

    # --- rate ---
    page.get_by_text("满意", exact=True).click()
    page.get_by_test_id("rate-comment").fill("处理很及时")
    page.get_by_test_id("rate-submit").click()
    expect(page.get_by_test_id("message")).to_contain_text("感谢您的评价")
    expect(page.get_by_test_id("case-rating")).to_contain_text("满意")
    case.refresh_from_db()
    assert case.satisfaction == Satisfaction.SATISFIED and case.status == CaseStatus.RESOLVED
    watch.check()


def test_report_without_javascript(page_factory):
    world = setup_world()
    page, watch = page_factory(java_script_enabled=False, **PHONE)
    page.goto("/r/report/")
    expect(page.get_by_test_id("report-map")).to_be_hidden()
    page.get_by_test_id("description").fill("路灯坏了一个星期，晚上很黑")
    page.get_by_test_id("region").select_option(str(world.grids[2].pk))
    page.get_by_test_id("report-submit").click()
    expect(page.get_by_test_id("tracking-number")).to_have_text(re.compile(r"^WG\d{8}-\d{5}$"))
    assert Case.objects.get().grid == world.grids[2]
    watch.check()


def test_errors_come_back_in_the_form(page_factory):
    setup_world()
    page, watch = page_factory(**PHONE)
    page.goto("/r/report/")
    page.get_by_test_id("description").fill("路灯坏了")  # under 5 characters, and no place chosen
    page.get_by_test_id("report-submit").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(page.locator(".field-errors")).to_contain_text(["请再多说几句", "请在地图上点一下问题所在的位置"])
    expect(page.get_by_test_id("description")).to_have_value("路灯坏了")
    assert Case.objects.count() == 0
    watch.check()


PHONE_390 = {"width": 390, "height": 844, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


def test_long_unbroken_text_does_not_widen_the_tracking_page(page_factory):
    """A pasted link or a long Latin address once made a 390px phone scroll sideways to 1553px,
    and squeezed the labels beside them to one character a line."""
    world = setup_world()
    case = file_case(world, channel=Channel.WEB, actor=None,
                     description="照片在这里 https://pan.example.com/s/" + "Ab3dEf" * 25,
                     address="Room1203Building7HepingRoadChaoyangDistrict" * 3)
    page, watch = page_factory(**PHONE_390)
    page.goto(f"/r/t/{case.tracking_token}/")
    page.locator(".my-report summary").click()
    expect(page.locator(".my-text")).to_contain_text("pan.example.com")
    no_sideways_scroll(page)
    label = page.locator(".facts dt").first
    expect(label).to_have_text("提交时间")
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.facts dt')).lineHeight)")
    assert label.bounding_box()["height"] < 1.5 * line  # one line, not one character a line
    watch.check()


def test_failed_report_opens_at_the_field_in_error(page_factory):
    """The summary at the top names the field and links to it; the page opens with the focus on
    it even though it is far below the kinds of problem."""
    world = setup_world()
    page, watch = page_factory(**PHONE_390)
    page.goto("/r/report/")
    page.get_by_test_id("description").fill("小区东门口的路灯坏了一个星期")
    page.get_by_test_id("region").select_option(str(world.grids[0].pk))
    page.get_by_test_id("reporter-phone").fill("12345")
    page.get_by_test_id("report-submit").click()
    expect(page.get_by_test_id("error-summary")).to_contain_text("手机号")
    phone = page.get_by_test_id("reporter-phone")
    expect(phone).to_be_focused()
    expect(phone).to_be_in_viewport()
    expect(phone).to_have_value("12345")
    page.evaluate("window.scrollTo(0, 0)")
    page.get_by_test_id("error-link-reporter_phone").click()
    expect(phone).to_be_in_viewport()
    assert Case.objects.count() == 0
    watch.check()


def camera_photo(width: int = 4000, height: int = 3000) -> bytes:
    """A phone camera's JPEG: large, and not much smaller when compressed."""
    import io

    from PIL import Image

    smooth = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    grain = Image.effect_noise((width, height), 40).convert("RGB")
    out = io.BytesIO()
    Image.blend(smooth, grain, 0.3).save(out, "JPEG", quality=95)
    return out.getvalue()


def test_a_photo_over_the_size_limit_is_made_smaller_and_sent(page_factory, settings):
    """A camera photo larger than the server takes was refused after its whole upload, and the
    resident had no way to make it smaller: the page shrinks it before sending."""
    world = setup_world()
    photo = camera_photo()
    settings.WANGGE_ATTACHMENT_MAX_BYTES = len(photo) // 2
    page, watch = page_factory(**PHONE_390)
    page.goto("/r/report/")
    page.get_by_test_id("description").fill("小区东门口的路灯坏了一个星期")
    page.get_by_test_id("photos").set_input_files([{"name": "IMG_2041.JPG", "mimeType": "image/jpeg", "buffer": photo}])
    expect(page.locator("#photo-previews img")).to_have_count(1)
    expect(page.get_by_test_id("report-submit")).to_be_enabled()
    page.get_by_test_id("region").select_option(str(world.grids[0].pk))
    page.get_by_test_id("report-submit").click()
    expect(page.get_by_test_id("tracking-number")).to_have_text(re.compile(r"^WG\d{8}-\d{5}$"))
    sent = Case.objects.get().attachments.get()
    assert sent.is_image and 0 < sent.size <= settings.WANGGE_ATTACHMENT_MAX_BYTES
    watch.check()


def no_sideways_scroll(page) -> None:
    """Nothing is wider than the phone's screen."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
