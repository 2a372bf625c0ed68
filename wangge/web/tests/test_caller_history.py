"""来电历史 — the hotline's caller look-up: intake clerks only, limited per person, every look-up
logged, the answer masked. Before, any signed-in staff member could try numbers without limit or
trace and get back a resident's cases (a phone-number oracle)."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache

from wangge.cases.models import ReporterAccessLog
from wangge.org.choices import Role
from wangge.testing import file_case, make_user

URL = "/cases/new/caller/"
PHONE = "13812341234"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # the attempt counters live in the cache
    yield
    cache.clear()


@pytest.fixture
def pii_log(caplog):
    """The records of the ``wangge.pii`` logger (it does not propagate to the root logger)."""
    logger = logging.getLogger("wangge.pii")
    logger.addHandler(caplog.handler)
    with caplog.at_level(logging.INFO, logger="wangge.pii"):
        yield caplog
    logger.removeHandler(caplog.handler)


@pytest.fixture
def earlier(world):
    return file_case(world, reporter_phone=PHONE, reporter_name="张三丰")


@pytest.mark.parametrize("who", ["worker_a1", "chengguan", "secretary_a", "leader"])
def test_only_intake_clerks_may_look_up_a_caller(world, login, earlier, who, pii_log):
    client = login(world.users[who])
    refused = client.post(URL, {"reporter_phone": PHONE})
    assert refused.status_code == 403
    assert earlier.number not in refused.content.decode()
    # The page's own (htmx) request gets the refusal to read, still without any case.
    shown = client.post(URL, {"reporter_phone": PHONE}, **HTMX)
    assert shown.status_code == 200 and 'data-testid="caller-history-error"' in shown.content.decode()
    assert earlier.number not in shown.content.decode()
    # The refused attempt is logged, with the number masked.
    assert any("refused" in r.getMessage() and "138****1234" in r.getMessage() and PHONE not in r.getMessage()
               for r in pii_log.records)
    assert not ReporterAccessLog.objects.exists()


def test_a_clerk_sees_the_callers_cases_masked_and_the_look_up_is_logged(world, login, earlier, pii_log):
    second = file_case(world, reporter_phone=PHONE, reporter_name="张三丰")
    file_case(world, reporter_phone="13900003333")
    clerk = world.users["clerk"]
    page = login(clerk).post(URL, {"reporter_phone": PHONE}, REMOTE_ADDR="10.2.3.4").content.decode()
    assert earlier.number in page and second.number in page and page.count('class="casenum"') == 2
    assert "张**" in page and "138****1234" in page
    assert "张三丰" not in page and PHONE not in page
    logged = ReporterAccessLog.objects.order_by("case_id")
    assert [(row.case, row.user, row.channel, row.granted, row.ip_address) for row in logged] == [
        (earlier, clerk, "caller", True, "10.2.3.4"), (second, clerk, "caller", True, "10.2.3.4")]
    assert any(earlier.number in r.getMessage() and PHONE not in r.getMessage() for r in pii_log.records)


def test_a_frequent_caller_shows_how_many_cases_in_all(world, login, earlier):
    """The clerk sees the newest ten and how many there are in all (a caller with 57 is not one
    with 10)."""
    for _ in range(11):
        file_case(world, reporter_phone=PHONE)
    page = login(world.users["clerk"]).post(URL, {"reporter_phone": PHONE}).content.decode()
    assert page.count('class="casenum"') == 10
    assert "该号码此前共反映 12 件，下面是最近的 10 件。" in page
    few = login(world.users["clerk"]).post(URL, {"reporter_phone": "13900003333"}).content.decode()
    assert 'data-testid="caller-history-total"' not in few


def test_a_number_written_with_separators_finds_the_same_cases(world, login, earlier):
    page = login(world.users["clerk"]).post(URL, {"reporter_phone": "138-1234-1234"}).content.decode()
    assert earlier.number in page


def test_part_of_a_number_finds_nothing_and_is_not_counted(world, login, earlier, settings):
    settings.WANGGE_RATE_LIMITS = {"caller_lookup": (1, 3600)}
    client = login(world.users["clerk"])
    for partial in ("1381234", "13812341", "138123412"):  # the clerk still typing
        page = client.post(URL, {"reporter_phone": partial}).content.decode()
        assert earlier.number not in page and 'data-testid="caller-history"' not in page
    assert not ReporterAccessLog.objects.exists()
    assert earlier.number in client.post(URL, {"reporter_phone": PHONE}).content.decode()  # the one look-up


def test_look_ups_are_limited_per_person(world, login, earlier, settings, pii_log):
    settings.WANGGE_RATE_LIMITS = {"caller_lookup": (3, 3600)}
    clerk = login(world.users["clerk"])
    for guess in ("13812340001", "13812340002", "13812340003"):
        assert clerk.post(URL, {"reporter_phone": guess}).status_code == 200
    blocked = clerk.post(URL, {"reporter_phone": PHONE})
    assert blocked.status_code == 429
    assert earlier.number not in blocked.content.decode()
    assert any("limit" in r.getMessage() for r in pii_log.records)
    # On the hotline page the clerk reads why.
    shown = clerk.post(URL, {"reporter_phone": PHONE}, **HTMX)
    assert shown.status_code == 200 and earlier.number not in shown.content.decode()
    assert 'data-testid="caller-history-error"' in shown.content.decode()
    assert not ReporterAccessLog.objects.exists()
    # Another clerk has their own allowance.
    other = make_user(Role.INTAKE_CLERK, region=world.subdistrict, username="clerk3")
    assert earlier.number in login(other).post(URL, {"reporter_phone": PHONE}).content.decode()


def test_the_limit_has_a_default_and_is_in_the_users_language(world, login, settings):
    from wangge.core.ratelimit import Limit

    limit = Limit.named("caller_lookup")
    assert 0 < limit.count <= 200 and limit.seconds >= 600
    settings.WANGGE_RATE_LIMITS = {"caller_lookup": (0, 3600)}
    page = login(world.users["clerk"]).post(URL, {"reporter_phone": PHONE}, HTTP_ACCEPT_LANGUAGE="zh-hans",
                                           **HTMX).content.decode()
    assert "来电" in page and "Too many" not in page


# --- the number stays out of every URL --------------------------------------------------------


def test_the_look_up_is_posted_never_asked_in_the_url(world, login, earlier):
    """A GET would put the number into the web server's access log, the browser's history and the
    Referer header: the look-up answers a POST only, and the hotline page posts it (CSRF token in
    the header htmx sends), only the phone field."""
    client = login(world.users["clerk"])
    assert client.get(URL, {"reporter_phone": PHONE}).status_code == 405
    assert not ReporterAccessLog.objects.exists()
    page = client.get("/cases/new/").content.decode()
    assert f'hx-post="{URL}" hx-params="reporter_phone"' in page and f'hx-get="{URL}"' not in page


def test_the_look_up_is_refused_without_the_csrf_token(world, earlier):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["clerk"])
    assert client.post(URL, {"reporter_phone": PHONE}).status_code == 403
    assert not ReporterAccessLog.objects.exists()
    client.get("/cases/new/")  # the page sets the token; htmx sends it in X-CSRFToken
    token = client.cookies["csrftoken"].value
    shown = client.post(URL, {"reporter_phone": PHONE}, HTTP_X_CSRFTOKEN=token, **HTMX)
    assert shown.status_code == 200 and earlier.number in shown.content.decode()


def test_a_frequent_callers_other_cases_open_in_the_list_without_the_number(world, login, earlier, settings):
    """More cases than the desk shows: one click to all of them in the case list, under a key that
    stands for the number in the clerk's session — not typed again, not counted again, never in
    the link."""
    for _ in range(11):
        file_case(world, reporter_phone=PHONE)
    settings.WANGGE_RATE_LIMITS = {"caller_lookup": (1, 3600)}
    client = login(world.users["clerk"])
    history = client.post(URL, {"reporter_phone": PHONE}, **HTMX)
    link = history.context["all_url"]
    assert link.startswith("/cases/?caller=") and PHONE not in link and "1234" not in link
    assert 'data-testid="caller-history-all"' in history.content.decode()
    listed = client.get(link)
    assert listed.status_code == 200 and listed.context["page"].count == 12  # the one look-up allowed
    assert "来电号码 138****1234 反映的事件" in listed.content.decode()
    assert PHONE not in listed.content.decode()
