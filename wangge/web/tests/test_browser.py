"""The workbench in a real browser (headless Chromium through Playwright). Each test fails on a
console error or a request to any other host (see the ``page_factory`` fixture)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case, ReporterAccessLog
from wangge.testing import case_in_state, file_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    expect(page.locator(".topbar .uname")).to_have_text(username)


def open_action(page, action: str) -> None:
    page.locator(f"details[data-action={action}]").evaluate("d => { d.open = true; }")


def sign_out(page) -> None:
    page.click(".usermenu summary")
    page.click(".usermenu-panel button[type=submit]")
    expect(page).to_have_url(re.compile(r"/login/$"))


def test_clerk_files_accepts_dispatches_and_officer_resolves(page_factory, screenshot, world, categories):
    earlier = file_case(world, category=categories["street"], reporter_phone="13900009999",
                        description="上周也反映过：路口有人摆摊")
    page, _watch = page_factory()
    sign_in(page, "clerk")

    # Hotline intake: keyboard first.
    page.goto("/cases/new/")
    expect(page.locator("#id_reporter_phone")).to_be_focused()
    page.keyboard.type("13900009999")
    expect(page.locator("[data-testid=caller-history]")).to_contain_text(earlier.number)
    page.keyboard.press("Tab")
    page.keyboard.type("王五")
    page.fill("#id_description", "和平路口早上有流动摊贩摆摊占道，行人只能走机动车道")
    page.click(f"[data-testid=suggest-{categories['street'].pk}]")
    expect(page.locator("#id_category")).to_have_value(str(categories["street"].pk))
    # Location by clicking the map: the point finds its grid.
    box = page.locator("#intake-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 - 40, box["y"] + box["height"] / 2 + 40)
    expect(page.locator("#id_longitude")).not_to_have_value("")
    expect(page.locator("#grid-picked")).to_contain_text("网格")
    expect(page.locator("[data-testid=similar-cases]")).to_contain_text(earlier.number)
    screenshot(page, "hotline_intake")
    page.locator("#id_description").press("Control+Enter")

    expect(page.locator("h1")).to_contain_text("和平路口早上有流动摊贩")
    case = Case.objects.exclude(pk=earlier.pk).get()
    assert case.reporter_phone == "13900009999" and case.category == categories["street"]
    assert case.grid_id is not None

    # Accept, then dispatch to the category's department.
    page.click("[data-testid=do-accept]")
    expect(page.locator(".badges .badge")).to_have_attribute("data-status", "accepted")
    page.click("[data-testid=do-dispatch]")
    expect(page.locator(".badges .badge")).to_have_attribute("data-status", "dispatched")
    # The reporter is masked until "show", which is logged.
    expect(page.locator("[data-testid=reporter]")).to_contain_text("139****9999")
    page.wait_for_load_state("networkidle")  # htmx ready: the reveal is its POST, not a page load
    page.wait_for_function("() => window.htmx !== undefined")
    page.click("[data-testid=reveal]")
    expect(page.locator("[data-testid=reporter]")).to_contain_text("13900009999")
    assert ReporterAccessLog.objects.filter(case=case, user=world.users["clerk"]).count() == 1
    screenshot(page, "case_detail")

    page.goto("/cases/")
    expect(page.locator("[data-testid=case-table]")).to_contain_text(case.number)
    screenshot(page, "case_list")
    sign_out(page)

    # The department officer sees the new assignment highlighted (to claim), claims and resolves it.
    sign_in(page, "officer_cg")
    row = page.locator("[data-testid=to-claim] li.is-new", has_text=case.number)
    expect(row).to_be_visible()
    expect(page.locator("[data-testid=unread-count]")).to_have_text("1")
    screenshot(page, "workbench")
    row.locator("a").first.click()
    expect(page.locator("details[data-action=resolve]")).to_have_count(0)  # 认领 first
    page.click("[data-testid=do-claim]")
    expect(page.locator(".badges .badge")).to_have_attribute("data-status", "in_progress")
    open_action(page, "resolve")
    page.fill("#id_resolve-result", "已联系城管中队清理摊贩，恢复人行道通行")
    page.click("[data-testid=do-resolve]")
    expect(page.locator(".badges .badge")).to_have_attribute("data-status", "resolved")
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


def test_form_error_shown_in_browser(page_factory, world, categories):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=categories["street"])
    page, _watch = page_factory()
    sign_in(page, "officer_cg")
    page.goto(f"/cases/{case.number}/")
    open_action(page, "resolve")
    page.click("[data-testid=do-resolve]")  # empty result
    expect(page.locator("details[data-action=resolve] .field-error")).to_be_visible()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_PROGRESS


def test_grid_worker_cannot_see_another_grids_case(page_factory, world, categories):
    theirs = file_case(world, grid=world.grids[0], category=categories["street"])
    mine = file_case(world, grid=world.grids[2], category=categories["street"])
    page, watch = page_factory()
    sign_in(page, "worker_b1")
    response = page.goto(f"/cases/{theirs.number}/")
    assert response.status == 404
    expect(page.locator(".error-page")).to_contain_text("不在您的管辖范围内")
    # Chromium reports the page's own 404 on the console; that one is expected, nothing else.
    assert watch.console_errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    watch.console_errors.clear()
    page.goto("/cases/")
    expect(page.locator("[data-testid=case-table]")).to_contain_text(mine.number)
    expect(page.locator("[data-testid=case-table]")).not_to_contain_text(theirs.number)


def test_english_switch_in_browser(page_factory, world):
    page, _watch = page_factory()
    sign_in(page, "clerk")
    expect(page.locator(".mainnav")).to_contain_text("工作台")
    page.click(".langswitch button[value=en]")
    expect(page.locator(".mainnav")).to_contain_text("Workbench")
    expect(page.locator("h2").first).to_have_text("Waiting for me")


def test_phone_width_workbench(page_factory, world, categories):
    file_case(world, category=categories["street"])
    page, _watch = page_factory(width=360, height=740)
    sign_in(page, "clerk")
    assert page.evaluate("document.documentElement.scrollWidth") <= 362
    page.click(".nav-toggle-label")
    expect(page.locator(".mainnav")).to_be_visible()


@pytest.mark.parametrize("width", [1366, 1024, 800])
def test_every_menu_item_is_in_sight_on_a_desktop(page_factory, world, width):
    """The administrator's menu (every app's pages) on a laptop: no item hidden under the language
    and account controls or past the edge of the screen."""
    page, _watch = page_factory(width=width, height=700)
    sign_in(page, "admin_user")
    hidden = page.evaluate("""() => {
        const tools = document.querySelector('.topbar-tools').getBoundingClientRect();
        return [...document.querySelectorAll('.mainnav a')].filter(a => {
            const r = a.getBoundingClientRect();
            const under = r.right > tools.left && r.left < tools.right && r.bottom > tools.top && r.top < tools.bottom;
            return under || r.right > window.innerWidth || r.width === 0;
        }).map(a => a.textContent.trim());
    }""")
    assert hidden == []
    assert page.locator(".mainnav a").count() >= 10
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_english_menu_of_a_leader_keeps_to_one_line_on_a_laptop(page_factory, world):
    """English labels are longer than the Chinese: at 1366 px the leader's menu still takes one line
    (a second one pushed every page down by 33 px)."""
    page, _watch = page_factory(width=1366, height=700)
    page.goto("/login/")
    page.click("form.langswitch button[value=en]")
    sign_in(page, "leader")
    assert page.locator(".mainnav a").count() >= 10
    tops = page.evaluate("[...document.querySelectorAll('.mainnav a')].map(a => Math.round(a.getBoundingClientRect().top))")
    assert len(set(tops)) == 1, tops
    assert page.evaluate("document.documentElement.lang") == "en"


@pytest.mark.parametrize("width", [1366, 1120, 1024, 800])
def test_case_list_fits_the_screen(page_factory, world, categories, width):
    """A long title or many columns scroll inside the table, never the whole page sideways."""
    for i in range(3):
        case_in_state(world, CaseStatus.DISPATCHED, category=categories["street"],
                      title="和平路口早上有流动摊贩摆摊占道，行人只能走机动车道，" * 3 + str(i))
    page, _watch = page_factory(width=width, height=900)
    sign_in(page, "clerk")
    page.goto("/cases/")
    expect(page.locator("[data-testid=case-table] tbody tr")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_map_zoom_buttons_speak_the_pages_language(page_factory, world):
    page, _watch = page_factory()
    sign_in(page, "clerk")
    page.goto("/cases/new/")
    expect(page.locator("#intake-map .leaflet-control-zoom-in")).to_have_attribute("title", "放大")
    expect(page.locator("#intake-map .leaflet-control-zoom-out")).to_have_attribute("title", "缩小")
