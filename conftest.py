"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Each test starts without the tables cached in this process (calendar, policies): the
    rows a previous test cached were rolled back with it; and with the shared cache empty (rate
    limits and sign-in failures count there, per address: one test's count must not lock the next)."""
    from django.core.cache import cache

    from wangge.core.localcache import invalidate_all

    invalidate_all()
    cache.clear()
    # … and in the platform's default language (简体中文): a request with Accept-Language: en
    # leaves English active in this thread after it, and the next test would read English.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db):
    """A small territory with staff in every role (see wangge.testing.build_world)."""
    from wangge.testing import build_world

    return build_world()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (never a downloaded browser)."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    # A 2-core CI machine running server, database and browser at once can be slow to settle
    # an htmx swap or a map fit: wait up to 15 s (not the default 5 s) before calling it failed.
    expect.set_options(timeout=15_000)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("WANGGE_CHROMIUM", "/usr/bin/chromium"),
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class PageWatch:
    """Collects console errors and requests to any host but the test server."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []

    def check(self) -> None:
        assert not self.console_errors, f"browser console errors: {self.console_errors}"
        assert not self.foreign_requests, f"requests to other hosts: {self.foreign_requests}"


@pytest.fixture
def page_factory(browser, live_server):
    """``page_factory(width=1366, height=900)`` → (page, watch). The test fails on any console
    error or on any request to a host other than the live test server."""
    from wangge.testing import inflight

    inflight.watch()
    contexts, watches = [], []

    def make(width: int = 1366, height: int = 900, locale: str = "zh-CN", **kwargs):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                      base_url=live_server.url, **kwargs)
        contexts.append(context)
        watch = PageWatch(live_server.url)
        watches.append(watch)

        def route(r):
            url = r.request.url
            if url.startswith(live_server.url) or url.startswith("data:") or url.startswith("blob:"):
                r.continue_()
            else:
                watch.foreign_requests.append(url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda msg: msg.type == "error" and watch.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: watch.console_errors.append(str(exc)))
        return page, watch

    yield make
    for context in contexts:
        context.close()
    # The server may still be answering what a closed page asked: let it finish before the
    # test's database is flushed (see wangge.testing.inflight).
    assert inflight.wait_until_idle(), "the live server was still answering a request 15 s after the pages closed"
    for watch in watches:
        watch.check()


@pytest.fixture
def screenshot():
    """``screenshot(page, "name")`` writes artifacts/screenshots/name.png."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = True):
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
