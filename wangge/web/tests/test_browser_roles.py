"""Each role's home, the address search, the revisit, the phone card list and the error pages in a
real browser (headless Chromium), at desktop and phone (360 px) sizes. One browser for the module
(the session's); no sleeps — Playwright waits for what it expects."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from wangge.cases.choices import CaseStatus, Channel
from wangge.cases.models import Case
from wangge.testing import case_in_state, file_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 800}


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    expect(page.locator(".topbar .uname")).to_have_text(username)


def fits(page) -> bool:
    """Nothing wider than the screen (no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_each_role_lands_on_its_own_work(page_factory, screenshot, world):
    dispatched = case_in_state(world, CaseStatus.DISPATCHED)
    in_grid = file_case(world, grid=world.grids[0], description="巷子里路灯不亮")
    homes = {
        "clerk": "[data-testid=count-total]",
        "worker_a1": "[data-testid=field-report]",
        "officer_cg": "[data-testid=to-claim]",
        "secretary_a": "[data-testid=ledger]",
        "leader": "[data-testid=supervise]",
    }
    for username, marker in homes.items():
        page, _watch = page_factory()
        sign_in(page, username)
        expect(page.locator(marker)).to_be_visible()
        screenshot(page, f"home_{username}")
        page.set_viewport_size(PHONE)
        page.reload()
        expect(page.locator(marker)).to_be_visible()
        assert fits(page), username
        screenshot(page, f"home_{username}_phone")
    # What each one sees is their own.
    page, _watch = page_factory(**PHONE)
    sign_in(page, "officer_cg")
    expect(page.locator("[data-testid=to-claim]")).to_contain_text(dispatched.title)
    page, _watch = page_factory(**PHONE)
    sign_in(page, "worker_a1")
    expect(page.locator("[data-testid=grid-cases]")).to_contain_text(in_grid.title)


def test_grid_worker_reports_from_the_field_page(page_factory, world):
    page, _watch = page_factory(**PHONE)
    sign_in(page, "worker_a1")
    page.click("[data-testid=field-report]")
    page.fill("#id_description", "井盖缺失，路过的人容易踩空")
    page.locator("[data-testid=field-report-form] button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("井盖缺失")
    case = Case.objects.get()
    assert case.channel == Channel.PATROL and case.grid_id == world.grids[0].pk


def test_address_search_files_the_case_in_the_right_grid(page_factory, screenshot, world):
    grid = world.grids[3]
    grid.aliases = "湖畔家园"
    grid.save(update_fields=["aliases", "updated_at"])
    # A resident on a phone: finds the compound by its 拼音 initials; the grid follows.
    page, _watch = page_factory(**PHONE)
    page.goto("/r/report/")
    page.fill("[data-testid=description]", "小区里的路灯坏了一个星期")
    page.fill("[data-testid=address-search]", "hpjy")
    expect(page.locator("[data-testid=address-results] li").first).to_contain_text("湖畔家园")
    screenshot(page, "portal_address_search", full_page=False)
    page.keyboard.press("Enter")
    expect(page.locator("#id_region")).to_have_value(str(grid.pk))
    expect(page.locator("#id_address")).to_have_value("湖畔家园")
    assert fits(page)
    page.click("[data-testid=report-submit]")
    expect(page).to_have_url(re.compile(r"/r/report/done/"))
    case = Case.objects.get()
    assert case.grid_id == grid.pk and case.address == "湖畔家园"
    # The clerk on the hotline finds it the same way.
    page, _watch = page_factory()
    sign_in(page, "clerk")
    page.goto("/cases/new/")
    page.fill("#id_description", "湖畔家园门口垃圾没人清运")
    page.fill("[data-testid=address-search]", "湖畔")
    page.locator("[data-testid=address-results] li").first.click()
    expect(page.locator("#id_grid")).to_have_value(str(grid.pk))
    page.locator("#id_description").press("Control+Enter")
    expect(page.locator("h1")).to_contain_text("湖畔家园")
    assert Case.objects.order_by("-pk").first().grid_id == grid.pk


def test_revisit_not_accepted_offers_reopen_and_shows_the_outcome(page_factory, screenshot, world):
    case = case_in_state(world, CaseStatus.RESOLVED)
    page, _watch = page_factory()
    sign_in(page, "clerk")
    page.goto(f"/cases/{case.number}/")
    form = page.locator("details[data-action=revisit]")
    form.evaluate("d => { d.open = true; }")
    form.locator("input[name=revisit-lawful][value=yes]").check()
    form.locator("input[name=revisit-in_place][value=yes]").check()
    follow_up = form.locator("[data-revisit-follow-up]")
    expect(follow_up).to_be_hidden()
    form.locator("input[name=revisit-accepted][value=no]").check()
    expect(follow_up).to_be_visible()
    form.locator("input[name=revisit-accepted_words]").fill("摊贩晚上又回来了")
    form.locator("input[name=revisit-follow_up][value=reopen]").check()
    page.click("[data-testid=do-revisit]")
    outcome = page.locator("[data-testid=revisit-outcome]")
    expect(outcome).to_contain_text("摊贩晚上又回来了")
    expect(page.locator("[data-testid=follow-up]")).to_be_visible()
    expect(page.locator("[data-testid=do-revisit]")).to_have_count(0)
    screenshot(page, "revisit_outcome")
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED and case.reopen_count == 1


def test_phone_case_list_is_cards_and_errors_are_our_pages(page_factory, screenshot, world):
    for _ in range(3):
        file_case(world)
    page, watch = page_factory(**PHONE)
    sign_in(page, "clerk")
    page.goto("/cases/")
    expect(page.locator("[data-testid=case-cards] li")).to_have_count(3)
    expect(page.locator("[data-testid=case-table]")).to_be_hidden()
    assert fits(page)
    screenshot(page, "case_list_phone", full_page=False)
    # Desktop: the table, with the time left.
    page.set_viewport_size({"width": 1366, "height": 900})
    expect(page.locator("[data-testid=case-table]")).to_be_visible()
    expect(page.locator("[data-testid=time-left]").first).to_contain_text("剩余")
    assert fits(page)
    # Error pages: the platform's, in Chinese (a missing page is a 404, not a debug page).
    page.set_viewport_size(PHONE)
    response = page.goto("/cases/WG19990101-00001/")
    assert response.status == 404
    expect(page.locator("[data-testid=error-404]")).to_contain_text("不存在")
    assert fits(page)
    screenshot(page, "error_404_phone")
    assert watch.console_errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    watch.console_errors.clear()


@pytest.mark.parametrize("username", ["worker_a1", "secretary_a"])
def test_every_page_of_the_menus_fits_a_phone(page_factory, world, username):
    """From the main menu and each app's tabs, every page a grid worker or a secretary opens on a
    phone fits its width: a wide table scrolls inside its card, never the page sideways."""
    case_in_state(world, CaseStatus.DISPATCHED)
    page, _watch = page_factory(**PHONE)
    sign_in(page, username)
    todo = page.evaluate("[...document.querySelectorAll('.mainnav a')].map(a => a.getAttribute('href'))")
    seen, wide = set(), []
    while todo:
        href = todo.pop(0)
        if href in seen or not href.startswith("/") or href.startswith("/admin/"):
            continue
        seen.add(href)
        assert page.goto(href).status < 400, href
        if not fits(page):
            wide.append((href, page.evaluate("document.documentElement.scrollWidth")))
        todo += page.evaluate("[...document.querySelectorAll('nav.tabs a')].map(a => a.getAttribute('href'))")
    assert len(seen) >= 8
    assert wide == []
