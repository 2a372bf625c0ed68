"""A clerk on a call, in a real browser: the desk's 来电历史 and the case list's search by the
caller's phone work as before, and no request the browser makes — page, htmx call, redirect —
has the number in its URL (the server's access log, the history, the Referer)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from wangge.cases.models import ReporterAccessLog
from wangge.testing import file_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13900009999"


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    expect(page.locator(".topbar .uname")).to_have_text(username)


def test_the_desk_and_the_list_find_a_caller_without_the_number_in_any_url(page_factory, world):
    earlier = [file_case(world, reporter_phone=PHONE, description=f"第{i}次反映：路口有人摆摊占道") for i in range(11)]
    page, _watch = page_factory()
    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))
    sign_in(page, "clerk")

    # The desk: typing the caller's number shows their earlier cases.
    page.goto("/cases/new/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.locator("#id_reporter_phone").type(PHONE)
    expect(page.locator("[data-testid=caller-history]")).to_contain_text(earlier[-1].number)
    expect(page.locator("[data-testid=caller-history-total]")).to_contain_text("11")
    # All eleven in the list, one click, the number not typed again.
    with page.context.expect_page() as opened:
        page.click("[data-testid=caller-history-all]")
    listed = opened.value
    expect(listed.locator("[data-testid=caller-lookup]")).to_contain_text("139****9999")
    expect(listed.locator(".card-head h2")).to_contain_text("11")

    # The case list: the number typed into its search box.
    page.goto("/cases/")
    page.fill("#filter-form input[name=q]", "139 0000 9999")
    page.locator("#filter-form input[name=q]").press("Enter")
    expect(page.locator("[data-testid=caller-lookup]")).to_contain_text("139****9999")
    expect(page).to_have_url(re.compile(r"/cases/\?caller=[\w-]{8}$"))
    # Narrowing it further keeps the caller; clearing it shows all cases again.
    page.locator("#filter-form select[name=is_open]").select_option("true")
    page.click("#filter-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"is_open=true"))
    expect(page.locator("[data-testid=caller-lookup]")).to_be_visible()
    page.click("[data-testid=caller-lookup-clear]")
    expect(page.locator("[data-testid=caller-lookup]")).to_have_count(0)

    digits = [re.sub(r"\D", "", url) for url in requested]
    assert requested and not [url for url, d in zip(requested, digits) if "00009999" in d]
    assert ReporterAccessLog.objects.filter(channel="caller").exists()
