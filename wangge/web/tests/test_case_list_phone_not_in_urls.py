"""A caller's phone searched in the case list (查询进度) never travels in a URL: the search form posts
it, the server keeps it in the clerk's session under a short key and the list's address, its
paging, its export link and its saved filters carry the key only (``web.caller_keys``). Before,
the number stood in ``?q=`` of the list and of every link on it — in the web server's access
log, the browser's history, the Referer of the next page and any bookmark or saved filter.

One look-up is counted once against the ``caller_lookup`` limit, however many pages of it are
shown; the access log keeps a row for each case each page shows, as 来电历史 does."""

from __future__ import annotations

import re

import pytest
from django.http import QueryDict
from django.test import Client

from wangge.audit.models import DataExportRecord
from wangge.cases.choices import CaseStatus
from wangge.cases.models import ReporterAccessLog
from wangge.testing import calls_from
from wangge.web import caller_keys, views
from wangge.web.models import SavedFilter

pytestmark = pytest.mark.django_db

LIST = "/cases/"
PHONE = "13812341234"
TYPED = ("13812341234", "138 1234 1234", "+86 138-1234-1234")
URL_ATTRIBUTE = re.compile(r'(?:href|action|src|hx-get|hx-post|value)="([^"]*)"')


@pytest.fixture
def calls(world):
    return calls_from(world, PHONE)


def assert_no_phone(response) -> None:
    """Neither the addresses the browser went through nor any link, form or field of the page
    holds the number (however it was typed)."""
    addresses = [url for url, _status in getattr(response, "redirect_chain", [])]
    addresses += [response.get("Location", "")]
    if response.get("Content-Type", "").startswith("text/html"):
        addresses += URL_ATTRIBUTE.findall(response.content.decode())
    for address in addresses:
        digits = re.sub(r"\D", "", address.replace("%2B86", "").replace("+86", ""))
        assert "12341234" not in digits, address


def key_of(response) -> str:
    return response.context["caller_key"]


def test_the_search_form_is_posted(world, login):
    page = login(world.users["clerk"]).get(LIST).content.decode()
    assert re.search(r'<form method="post" action="/cases/" id="filter-form">\s*<input type="hidden" '
                     r'name="csrfmiddlewaretoken"', page)


@pytest.mark.parametrize("typed", TYPED)
def test_a_posted_phone_becomes_a_key_in_the_lists_address(world, login, calls, typed):
    mine, other = calls
    client = login(world.users["clerk"])
    posted = client.post(LIST, {"q": typed, "status": CaseStatus.SUBMITTED})
    assert posted.status_code == 302
    assert re.fullmatch(r"/cases/\?status=submitted&caller=[\w-]{8}", posted["Location"])
    assert_no_phone(posted)
    page = client.get(posted["Location"])
    assert page.context["page"].count == 3 and other.number not in page.content.decode()
    assert "来电号码 138****1234 反映的事件" in page.content.decode()
    assert_no_phone(page)
    key = key_of(page)
    body = page.content.decode()
    # The export link, the filter form (to change the other filters) and the column form keep the key.
    assert f'href="/cases/export.xlsx?status=submitted&amp;caller={key}"' in body
    assert f'<input type="hidden" name="caller" value="{key}">' in body
    assert f'name="back" value="status=submitted&amp;caller={key}"' in body


def test_paging_a_callers_cases_counts_one_look_up_and_logs_each_page(world, login, calls, settings, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    settings.WANGGE_RATE_LIMITS = {"caller_lookup": (1, 3600)}
    mine, _other = calls
    clerk = world.users["clerk"]
    client = login(clerk)
    first = client.post(LIST, {"q": PHONE}, follow=True)
    assert_no_phone(first)
    older = re.search(r'href="(\?[^"]*after=[^"]*)" rel="next"', first.content.decode()).group(1)
    assert "caller=" in older
    second = client.get(LIST + older.replace("&amp;", "&"))
    assert_no_phone(second)
    assert second.status_code == 200 and 'data-testid="caller-lookup"' in second.content.decode()
    shown = {c.number for c in first.context["page"].rows} | {c.number for c in second.context["page"].rows}
    assert shown == {c.number for c in mine}  # the limit of one was not hit again by page two
    # Each case each page showed: one row (channel caller), as the desk's history logs hers.
    assert sorted(ReporterAccessLog.objects.filter(user=clerk, channel="caller").values_list("case_id", flat=True)) \
        == sorted(c.pk for c in mine)
    # A second look-up is one: refused, said, and the list is not the caller's.
    again = client.post(LIST, {"q": "13900003333"}, follow=True)
    assert "短时间内查询来电历史的次数过多" in again.content.decode() and key_of(again) == ""


def test_an_old_address_with_the_number_is_taken_out_of_it(world, login, calls):
    """A bookmark or a typed address from before: answered, but the list goes on under a key."""
    client = login(world.users["clerk"])
    response = client.get(LIST, {"q": PHONE, "is_open": "true"})
    assert response.status_code == 302 and re.fullmatch(r"/cases/\?is_open=true&caller=[\w-]{8}", response["Location"])
    export = client.get("/cases/export.xlsx", {"q": PHONE})
    assert export.status_code == 302 and PHONE not in export["Location"]
    assert not DataExportRecord.objects.exists()


def test_words_after_a_callers_search_replace_it(world, login, calls):
    client = login(world.users["clerk"])
    key = key_of(client.post(LIST, {"q": PHONE}, follow=True))
    kept = client.post(LIST, {"q": "", "caller": key, "status": CaseStatus.SUBMITTED})
    path, query = kept["Location"].split("?")
    assert path == LIST and QueryDict(query).dict() == {"status": "submitted", "caller": key}
    replaced = client.post(LIST, {"q": "摊贩", "caller": key})
    assert replaced["Location"] == "/cases/?q=%E6%91%8A%E8%B4%A9"


def test_an_expired_or_unknown_key_says_so_and_lists_nothing(world, login, calls, monkeypatch):
    mine, _other = calls
    client = login(world.users["clerk"])
    key = key_of(client.post(LIST, {"q": PHONE}, follow=True))
    expired = "来电号码查询已过期，请在搜索框中重新输入号码。"
    for address in (f"{LIST}?caller=nonsense", f"{LIST}?caller=", f"{LIST}?caller={'x' * 500}"):
        response = client.get(address)
        assert response.status_code == 200
        if address.endswith("caller="):
            continue  # no key: the list as it is
        assert expired in response.content.decode() and response.context["page"].count == 0
    # Another browser (another session) does not know it.
    stranger = Client()
    stranger.force_login(world.users["clerk"])
    response = stranger.get(f"{LIST}?caller={key}")
    assert response.status_code == 200 and expired in response.content.decode()
    assert not any(c.number in response.content.decode() for c in mine)
    # Past its time, not even in the session that made it; its export goes back to the list.
    monkeypatch.setattr(caller_keys, "KEY_TTL", 0)
    response = client.get(f"{LIST}?caller={key}")
    assert expired in response.content.decode() and response.context["page"].count == 0
    assert client.get(f"/cases/export.xlsx?caller={key}").status_code == 302
    assert not DataExportRecord.objects.exists()


def test_the_export_of_a_callers_cases_is_recorded_without_the_number(world, login, calls):
    mine, _other = calls
    clerk = world.users["clerk"]
    client = login(clerk)
    key = key_of(client.post(LIST, {"q": PHONE}, follow=True))
    before = set(ReporterAccessLog.objects.values_list("pk", flat=True))  # the list's (append-only)
    response = client.get(f"/cases/export.xlsx?caller={key}")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    record = DataExportRecord.objects.get()
    # What an auditor can read (a caller's look-up, the number masked); never the number, never the key.
    assert record.filters == "caller=138****1234" and record.rows == 3
    exported = ReporterAccessLog.objects.filter(user=clerk, channel="caller").exclude(pk__in=before)
    assert sorted(exported.values_list("case_id", flat=True)) == sorted(c.pk for c in mine)


@pytest.mark.parametrize("querystring", ["caller={key}&status=submitted", f"q={PHONE}", "q=%2B86+138-1234-1234"])
def test_a_callers_search_is_not_saved_as_a_filter(world, login, calls, querystring):
    client = login(world.users["clerk"])
    key = key_of(client.post(LIST, {"q": PHONE}, follow=True))
    response = client.post("/cases/filters/", {"name": "张三丰的事件", "querystring": querystring.format(key=key)},
                           follow=True)
    assert not SavedFilter.objects.exists()
    assert "来电号码的查询不能保存为常用筛选" in response.content.decode()
    assert_no_phone(response)


def test_filters_saved_before_lose_their_phone(world):
    from importlib import import_module

    from django.apps import apps

    clerk = world.users["clerk"]
    SavedFilter.objects.create(user=clerk, name="一位来电人", querystring="q=138+1234+1234&status=submitted")
    SavedFilter.objects.create(user=clerk, name="摊贩", querystring="q=%E6%91%8A%E8%B4%A9")
    import_module("wangge.web.migrations.0003_saved_filters_without_phones").drop_phones(apps, None)
    assert dict(SavedFilter.objects.values_list("name", "querystring")) == {
        "一位来电人": "status=submitted", "摊贩": "q=%E6%91%8A%E8%B4%A9"}
