"""A grid worker's patrol on a phone (360 px), in headless Chromium: today's list nearest first,
a check-in with GPS and a finding handled on the spot, then a check-in without signal kept on
the phone and sent when it is back online. Any console error or foreign request fails."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from wangge.cases.choices import CaseStatus, Channel
from wangge.patrols import actions
from wangge.patrols.models import CheckIn, Finding
from wangge.testing import make_category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_patrol_on_a_phone_with_a_check_in_a_finding_and_the_offline_queue(world, page_factory, screenshot,
                                                                             live_server):
    lng, lat = world.point_in(world.grids[0])
    near = actions.create_point(actor=world.users["secretary_a"], grid=world.grids[0], name="老王小炒",
                                point_class="small_shop", latitude=lat + 0.0002, longitude=lng)
    far = actions.create_point(actor=world.users["secretary_a"], grid=world.grids[0], name="幸福路背街小巷",
                               point_class="back_alley", latitude=lat + 0.0015, longitude=lng)
    category = make_category("乱堆乱放", code="clutter")
    client = Client()
    client.force_login(world.users["worker_a1"])
    page, watch = page_factory(width=360, height=740, has_touch=True, is_mobile=True, device_scale_factor=2,
                               geolocation={"latitude": lat, "longitude": lng}, permissions=["geolocation"])
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])

    page.goto("/patrols/")
    page.get_by_test_id("locate").click()
    expect(page).to_have_url(re.compile(r"lat=.*lng="))
    expect(page.get_by_test_id("due-visit")).to_have_count(2)
    expect(page.get_by_test_id("due-visit").first).to_contain_text("老王小炒")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "patrol_today_phone")

    page.get_by_test_id(f"check-in-{near.pk}").click()
    expect(page.get_by_test_id("gps-status")).to_contain_text("22")  # ~22 m from the point
    page.locator("textarea[name=notes]").fill("店铺营业正常")
    page.get_by_test_id("finding").locator("summary").click()
    page.locator("textarea[name=finding]").fill("门口堆放纸箱占道")
    page.locator("select[name=handling_class]").select_option("general")
    page.locator("select[name=category]").select_option(str(category.pk))
    page.locator("textarea[name=result]").fill("已劝导店主当场清理")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "patrol_checkin_phone")
    page.get_by_test_id("checkin-submit").click()
    expect(page).to_have_url(re.compile(r"/patrols/\?done="))
    expect(page.get_by_test_id("due-visit")).to_have_count(1)
    finding = Finding.objects.select_related("case", "checkin").get()
    done = page.get_by_test_id("checkin-done")
    expect(done).to_contain_text("在老王小炒打卡")
    expect(done.get_by_role("link", name=finding.case.number)).to_be_visible()
    screenshot(page, "patrol_checked_in_phone")

    assert finding.case.channel == Channel.PATROL and finding.case.status == CaseStatus.RESOLVED
    assert finding.case.resolved_on_time and finding.checkin.notes == "店铺营业正常"
    assert not finding.checkin.is_far and finding.checkin.distance_m < 40

    # No signal at the back alley: the check-in stays on the phone, then goes when online.
    page.get_by_test_id(f"check-in-{far.pk}").click()
    expect(page.get_by_test_id("gps-status")).to_contain_text("米")
    page.context.set_offline(True)
    page.get_by_test_id("checkin-submit").click()
    expect(page.get_by_test_id("checkin-message")).to_be_visible()
    expect(page.get_by_test_id("offline-queue").first).to_be_visible()
    assert CheckIn.objects.count() == 1
    page.context.set_offline(False)
    # Sent once online: the phone goes on to the outcome the server holds.
    expect(page).to_have_url(re.compile(r"/patrols/\?done="))
    expect(page.get_by_test_id("checkin-done")).to_contain_text("在幸福路背街小巷打卡")
    expect(page.get_by_test_id("offline-queue").first).to_be_hidden()
    # The send tried while offline failed as it should; Chromium logs that failed load.
    watch.console_errors[:] = [e for e in watch.console_errors if "ERR_INTERNET_DISCONNECTED" not in e]
    back = CheckIn.objects.get(point=far)
    assert back.is_far is False and back.worker == world.users["worker_a1"]
    page.goto("/patrols/")
    expect(page.get_by_test_id("nothing-due")).to_be_visible()
    watch.check()


def worker_phone(world, page_factory, live_server, *, lat, lng, width=390, height=844):
    """A grid worker's phone at (lat, lng), signed in: (page, watch)."""
    client = Client()
    client.force_login(world.users["worker_a1"])
    page, watch = page_factory(width=width, height=height, has_touch=True, is_mobile=True,
                               geolocation={"latitude": lat, "longitude": lng}, permissions=["geolocation"])
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return page, watch


def test_a_refused_finding_is_said_at_its_field_where_the_phone_shows_it(world, page_factory, screenshot, live_server):
    """The check-in button is at the bottom of a long form: a refusal said at the top of the form,
    out of sight, looked like a button that did nothing."""
    lng, lat = world.point_in(world.grids[0])
    point = actions.create_point(actor=world.users["secretary_a"], grid=world.grids[0], name="幸福路主街",
                                 point_class="main_road", latitude=lat, longitude=lng)
    category = make_category("路面破损", code="road")
    page, watch = worker_phone(world, page_factory, live_server, lat=lat, lng=lng, width=360, height=640)
    page.goto(f"/patrols/points/{point.pk}/check-in/")
    expect(page.get_by_test_id("gps-status")).to_contain_text("米")
    page.locator("textarea[name=notes]").fill("主街路面有坑")
    page.get_by_test_id("finding").locator("summary").click()
    page.locator("textarea[name=finding]").fill("路面破损一处")
    page.locator("textarea[name=result]").fill("已设置警示")
    page.get_by_test_id("checkin-submit").click()

    said = page.get_by_test_id("checkin-field-error")
    expect(said).to_have_text("现场处理的问题须选择事件分类，请选择。")
    expect(said).to_be_in_viewport()
    category_select = page.locator("select[name=category]")
    expect(category_select).to_be_focused()
    assert page.evaluate("document.querySelector('[data-testid=checkin-field-error]').previousElementSibling.name") \
        == "category"
    expect(category_select).to_have_attribute("aria-invalid", "true")
    assert not CheckIn.objects.exists() and not Finding.objects.exists()
    screenshot(page, "patrol_finding_refused_phone")

    category_select.select_option(str(category.pk))
    page.get_by_test_id("checkin-submit").click()
    expect(page).to_have_url(re.compile(r"/patrols/\?done="))
    assert Finding.objects.get().case.status == CaseStatus.RESOLVED
    # The refusal's 400 is logged by Chromium as a failed load; it is the answer the page expects.
    watch.console_errors[:] = [e for e in watch.console_errors if "400" not in e]
    watch.check()


def phone_photo(path, name: str):
    """A photo the size a phone's camera takes (3000 × 2250, about 3.7 MB: noise barely compresses)."""
    import os

    from PIL import Image

    file = path / name
    Image.frombytes("RGB", (3000, 2250), os.urandom(3000 * 2250 * 3)).save(file, format="JPEG", quality=70)
    return file


FILL_STORAGE = """(leave) => {
  // Fills this origin's localStorage to the last few characters, leaving ``leave`` characters free.
  if (leave) { localStorage.setItem("reserve", "x".repeat(leave)); }
  let n = 0;
  for (let size = 1 << 20; size >= 8; size >>= 1) {
    const junk = "x".repeat(size);
    for (;;) { try { localStorage.setItem("junk" + n++, junk); } catch (e) { break; } }
  }
  localStorage.removeItem("reserve");
}"""


def test_photos_taken_without_signal_are_kept_on_the_phone_and_sent(world, page_factory, live_server, tmp_path):
    """Two photos straight from a phone's camera overflowed the few MB a page may keep: the check-in
    vanished without a word (the button stayed grey, nothing was queued). Kept smaller, they go
    with the check-in once online; when even that does not fit, the worker is told what was kept."""
    lng, lat = world.point_in(world.grids[0])
    points = [actions.create_point(actor=world.users["secretary_a"], grid=world.grids[0], name=name,
                                   point_class="small_shop", latitude=lat, longitude=lng)
              for name in ("老王小炒", "便民菜店", "修车铺")]
    photos = [phone_photo(tmp_path, "a.jpg"), phone_photo(tmp_path, "b.jpg")]
    page, watch = worker_phone(world, page_factory, live_server, lat=lat, lng=lng)

    def check_in_offline(point):
        page.goto(f"/patrols/points/{point.pk}/check-in/")
        expect(page.get_by_test_id("gps-status")).to_contain_text("米")
        page.locator("input[name=photos]").set_input_files(photos)
        page.context.set_offline(True)
        page.get_by_test_id("checkin-submit").click()
        return page.get_by_test_id("checkin-message")

    said = check_in_offline(points[0])
    expect(said).to_have_text("无信号：打卡已保存在本机，联网后自动提交。")
    page.context.set_offline(False)
    expect(page).to_have_url(re.compile(r"/patrols/\?done="))
    checkin = CheckIn.objects.get(point=points[0])
    assert checkin.photos.count() == 2 and all(p.size < 1_500_000 for p in checkin.photos.all())

    # The phone's storage nearly full: the check-in is kept without its photos, and it says so.
    page.evaluate(FILL_STORAGE, 20_000)
    said = check_in_offline(points[1])
    expect(said).to_contain_text("将不带照片提交")
    page.context.set_offline(False)
    expect(page).to_have_url(re.compile(r"/patrols/\?done="))
    assert CheckIn.objects.get(point=points[1]).photos.count() == 0

    # Full to the last byte: nothing could be kept — said, and the button is back for another try.
    page.evaluate(FILL_STORAGE, 0)
    said = check_in_offline(points[2])
    expect(said).to_contain_text("本机存储已满")
    expect(page.get_by_test_id("checkin-submit")).to_be_enabled()
    assert page.evaluate("localStorage.getItem('wangge.patrol.queue')") in (None, "[]")
    page.context.set_offline(False)
    assert not CheckIn.objects.filter(point=points[2]).exists()
    watch.check()


def test_a_check_in_queued_on_the_phone_waits_out_a_sign_out(world, page_factory, live_server):
    """Sent when the session had ended, the queued check-in met the login page (a 200 after the
    redirect) and left the queue as if stored: lost. It now stays until the worker signs in."""
    lng, lat = world.point_in(world.grids[0])
    point = actions.create_point(actor=world.users["secretary_a"], grid=world.grids[0], name="老王小炒",
                                 point_class="small_shop", latitude=lat, longitude=lng)
    page, watch = page_factory(width=390, height=844, has_touch=True, is_mobile=True,
                               geolocation={"latitude": lat, "longitude": lng}, permissions=["geolocation"])

    def sign_in():
        client = Client()
        client.force_login(world.users["worker_a1"])
        page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                   "url": live_server.url}])

    sign_in()
    page.goto(f"/patrols/points/{point.pk}/check-in/")
    expect(page.get_by_test_id("gps-status")).to_contain_text("米")
    page.context.set_offline(True)
    page.get_by_test_id("checkin-submit").click()
    expect(page.get_by_test_id("checkin-message")).to_be_visible()
    page.context.clear_cookies(name="sessionid")  # the session ends while the phone has no signal
    # Back online: the queue is sent, and the login page answers (the redirect followed).
    with page.expect_response(lambda r: "/login/" in r.url and r.request.method == "GET"):
        page.context.set_offline(False)
    page.wait_for_function("() => true")  # the page has run what the answer set off
    assert not CheckIn.objects.exists()
    assert len(page.evaluate("JSON.parse(localStorage.getItem('wangge.patrol.queue') || '[]')")) == 1
    # What the browser could not load while the phone was offline is the outage itself, not an error of ours.
    watch.console_errors[:] = [e for e in watch.console_errors if "ERR_INTERNET_DISCONNECTED" not in e]

    sign_in()
    page.goto("/patrols/")
    expect(page.get_by_test_id("offline-queue").first).to_be_hidden()
    assert CheckIn.objects.get().point == point
    watch.check()


def test_a_phone_keeps_so_many_check_ins_and_says_so_when_full(world, page_factory, live_server):
    """The queue had no end: a phone left without signal kept taking check-ins that the server
    refuses once they are too old. Past the limit a check-in is not kept, and the worker is told."""
    from wangge.patrols import settings as patrol_settings

    limit = patrol_settings.offline_queue_max()
    lng, lat = world.point_in(world.grids[0])
    point = actions.create_point(actor=world.users["secretary_a"], grid=world.grids[0], name="老王小炒",
                                 point_class="small_shop", latitude=lat, longitude=lng)
    page, watch = worker_phone(world, page_factory, live_server, lat=lat, lng=lng)
    page.goto(f"/patrols/points/{point.pk}/check-in/")
    expect(page.get_by_test_id("gps-status")).to_contain_text("米")
    page.context.set_offline(True)
    # A day without signal: as many check-ins as the phone keeps are already waiting on it.
    page.evaluate("""(n) => {
      const items = [];
      for (let i = 0; i < n; i++) {
        items.push({url: location.pathname, photos: [], fields: {client_id: crypto.randomUUID(),
                    client_time: new Date().toISOString(), presence: "gps", notes: ""}});
      }
      localStorage.setItem("wangge.patrol.queue", JSON.stringify(items));
    }""", limit)
    page.locator("textarea[name=notes]").fill("店铺营业正常")
    page.get_by_test_id("checkin-submit").click()

    said = page.get_by_test_id("checkin-message")
    expect(said).to_have_text(f"这次打卡未保存：本机已有 {limit} 条打卡等待提交，已达上限。有信号后会自动提交，届时请重新打卡。")
    expect(page.get_by_test_id("offline-queue")).to_have_text(f"待提交：{limit} 条，已达本机上限；有信号后自动提交。")
    expect(page.get_by_test_id("checkin-submit")).to_be_enabled()
    assert len(page.evaluate("JSON.parse(localStorage.getItem('wangge.patrol.queue'))")) == limit
    assert not CheckIn.objects.exists()
    # A retry of the queue while offline (its timer fires on a slow machine) fails as it should;
    # Chromium logs that failed load.
    watch.console_errors[:] = [e for e in watch.console_errors if "ERR_INTERNET_DISCONNECTED" not in e]
    watch.check()
