"""查询进度 — a caller rings to ask where their case stands and the clerk types the caller's phone
into the case list's search. Before, the search looked only at numbers and texts and answered
an empty list: the clerk could tell the caller there was no record. Now a whole phone number is
answered with the hotline's caller look-up (来电历史): the caller's cases among the clerk's, the
same permission, limit and log, the phone masked; anyone else is told why, not shown nothing."""

from __future__ import annotations

import pytest

from wangge.cases import actions
from wangge.cases.choices import CaseStatus
from wangge.cases.models import ReporterAccessLog
from wangge.testing import calls_from, file_case

pytestmark = pytest.mark.django_db

LIST = "/cases/"
API = "/api/v1/cases/"
PHONE = "13812341234"


@pytest.fixture
def calls(world):
    """Two cases of the caller, one of someone else (all of the same words)."""
    return calls_from(world, PHONE, cases=2)


def numbers_in(page: str, cases) -> set[str]:
    return {case.number for case in cases if case.number in page}


@pytest.mark.parametrize("typed", [PHONE, "138 1234 1234", "+86 138-1234-1234"])
def test_a_clerk_finds_the_callers_cases_by_phone(world, login, calls, typed):
    mine, other = calls
    clerk = world.users["clerk"]
    response = login(clerk).post(LIST, {"q": typed}, REMOTE_ADDR="10.2.3.4", follow=True)
    page = response.content.decode()
    assert numbers_in(page, mine) == {c.number for c in mine} and other.number not in page
    assert response.context["page"].count == 2
    # The phone shown masked (the typed search keeps what was typed, in the box only).
    assert "来电号码 138****1234 反映的事件" in page and "张三丰" not in page
    logged = sorted((row.case_id, row.user_id, row.channel, row.granted, row.ip_address)
                    for row in ReporterAccessLog.objects.all())
    assert logged == sorted((c.pk, clerk.pk, "caller", True, "10.2.3.4") for c in mine)


def test_the_other_filters_still_narrow_a_callers_cases(world, login, calls, categories):
    mine, _other = calls
    actions.accept_case(case=mine[0], actor=world.users["clerk"], category=categories["street"])
    page = login(world.users["clerk"]).post(LIST, {"q": PHONE, "status": CaseStatus.SUBMITTED},
                                            follow=True).content.decode()
    assert numbers_in(page, mine) == {mine[1].number}


@pytest.mark.parametrize("who", ["leader", "worker_a1"])
def test_someone_who_may_not_look_up_callers_is_told_so(world, login, calls, who):
    mine, _other = calls
    page = login(world.users[who]).post(LIST, {"q": PHONE}, follow=True).content.decode()
    # Said above the list (all their cases, not a caller's: no empty list that reads "no record").
    assert '<div class="msg msg-error">只有受理员可以查询来电人的历史事件。</div>' in page
    assert 'data-testid="caller-lookup"' not in page  # their list as it was, no caller's cases
    assert not ReporterAccessLog.objects.exists()


def test_too_many_look_ups_are_refused_with_a_reason(world, login, calls, settings):
    settings.WANGGE_RATE_LIMITS = {"caller_lookup": (1, 3600)}
    client = login(world.users["clerk"])
    client.post(LIST, {"q": PHONE})
    response = client.post(LIST, {"q": PHONE}, follow=True)
    page = response.content.decode()
    assert '<div class="msg msg-error">短时间内查询来电历史的次数过多，请稍后再试。</div>' in page
    assert 'data-testid="caller-lookup"' not in page and response.context["caller_key"] == ""


def test_words_and_numbers_that_are_not_a_phone_are_searched_as_before(world, login, calls, settings):
    """Part of a number, a case number's date, a phone within words: the text search, not a look-up
    (no look-up counted, nothing logged)."""
    settings.WANGGE_RATE_LIMITS = {"caller_lookup": (1, 3600)}
    mine, other = calls
    said = file_case(world, description="住户留的电话13812341234，楼道灯坏了")
    client = login(world.users["clerk"])
    for term in ["1381234", mine[0].number[2:10], "电话13812341234", "摊贩"]:
        response = client.post(LIST, {"q": term}, follow=True)
        assert response.status_code == 200 and 'data-testid="caller-lookup"' not in response.content.decode()
    assert said.number in client.get(LIST, {"q": "电话13812341234"}).content.decode()
    assert client.get(LIST, {"q": "摊贩"}).context["page"].count == 3
    assert not ReporterAccessLog.objects.exists()
    assert "来电号码" in client.post(LIST, {"q": PHONE}, follow=True).content.decode()  # the one look-up allowed


def test_the_search_box_says_a_phone_is_found_too(world, login):
    assert "编号、关键词、地址或来电号码" in login(world.users["clerk"]).get(LIST).content.decode()


def test_english(world, login, calls):
    mine, _other = calls
    client = login(world.users["clerk"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.post(LIST, {"q": PHONE}, follow=True).content.decode()
    assert "Cases reported from 138****1234" in page and numbers_in(page, mine)
    assert "Number, words, address or caller&#x27;s phone" in page
    client.force_login(world.users["leader"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Only intake clerks may look up a caller&#x27;s earlier cases." in client.post(
        LIST, {"q": PHONE}, follow=True).content.decode()


def test_the_api_answers_a_phone_as_the_list_does(world, login, calls):
    mine, other = calls
    clerk = world.users["clerk"]
    body = login(clerk).post(API + "caller-search/", {"phone": "138-1234-1234"}, content_type="application/json").json()
    assert {row["number"] for row in body["results"]} == {c.number for c in mine}
    assert body["count"] == 2
    assert PHONE not in str(body)
    assert ReporterAccessLog.objects.filter(user=clerk, channel="caller").count() == 2


def test_the_api_refuses_a_phone_look_up_to_others(world, login, calls):
    refused = login(world.users["leader"]).post(API + "caller-search/", {"phone": PHONE},
                                                 content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "Only intake clerks may look up a caller's earlier cases."
    assert not ReporterAccessLog.objects.exists()
