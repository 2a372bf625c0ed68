"""The hotline form under the clerk's keyboard (headless Chromium): Enter in a one-line field never
saves the call half typed — only Ctrl+Enter or the button does — and a save is sent once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from wangge.cases.models import Case

from .test_browser import sign_in
from .test_places import compound  # noqa: F401 (the fixture: a grid known as 湖畔家园)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def posts_to(page, path: str) -> list:
    sent = []
    page.on("request", lambda r: r.method == "POST" and r.url.endswith(path) and sent.append(r.url))
    return sent


def test_enter_after_the_phone_or_a_place_search_does_not_save(page_factory, world, compound):
    page, _watch = page_factory()
    sign_in(page, "clerk")
    page.goto("/cases/new/")
    sent = posts_to(page, "/cases/new/")
    page.fill("#id_description", "湖畔家园门口垃圾没人清运")
    page.select_option("#id_grid", str(world.grids[1].pk))  # a complete call: Enter would file it
    page.locator("#id_reporter_phone").click()
    page.keyboard.type("13900001111")
    page.keyboard.press("Enter")
    # Enter at once, before the look-up had time to answer: it looks now instead of saving.
    page.locator("[data-testid=address-search]").click()
    page.keyboard.type("hpjy")
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=address-results]")).to_contain_text("湖畔家园")
    page.keyboard.press("Enter")  # the list is there: Enter picks the place
    expect(page.locator("#id_grid")).to_have_value(str(compound.pk))
    page.locator("#id_address").press("Enter")
    page.wait_for_timeout(300)
    assert sent == [] and not Case.objects.exists()
    assert page.url.endswith("/cases/new/")
    page.locator("#id_address").press("Control+Enter")
    expect(page.locator("h1")).to_contain_text("湖畔家园门口垃圾")
    assert Case.objects.get().grid_id == compound.pk


def test_a_save_clicked_twice_is_sent_once(page_factory, world):
    page, _watch = page_factory()
    sign_in(page, "clerk")
    page.goto("/cases/new/")
    sent = posts_to(page, "/cases/new/")
    page.fill("#id_description", "路口垃圾堆放")
    page.select_option("#id_grid", str(world.grids[1].pk))
    page.evaluate("() => { const f = document.getElementById('hotline-form'); f.requestSubmit(); f.requestSubmit(); }")
    expect(page.locator("h1")).to_contain_text("路口垃圾堆放")
    assert len(sent) == 1 and Case.objects.count() == 1


def test_a_door_number_found_in_its_block_keeps_the_door(page_factory, world):
    """和平路25号 finds the block 和平路1-60号 (and its grid); the address stays the caller's door."""
    world.grids[2].aliases = "和平路1-60号"
    world.grids[2].save(update_fields=["aliases", "updated_at"])
    page, _watch = page_factory()
    sign_in(page, "clerk")
    page.goto("/cases/new/")
    page.locator("[data-testid=address-search]").click()
    page.keyboard.type("和平路25号")
    expect(page.locator("[data-testid=address-results]")).to_contain_text("和平路1-60号")
    page.keyboard.press("Enter")
    expect(page.locator("#id_grid")).to_have_value(str(world.grids[2].pk))
    expect(page.locator("#id_address")).to_have_value("和平路25号")
