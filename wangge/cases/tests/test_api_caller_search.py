"""A caller's phone stays out of the API's URLs: ``GET /api/v1/cases/?q=<phone>`` is refused with a
400 that says where to go, and ``POST /api/v1/cases/caller-search/`` takes the number in its body —
the hotline desk's look-up (来电历史): the same permission, limit and access log, the same paged,
masked list. Before, the number sat in the query string, so in the access logs of every server
on the way (the integrator's and ours)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from wangge.cases.models import ReporterAccessLog
from wangge.testing import calls_from

pytestmark = pytest.mark.django_db

LIST = "/api/v1/cases/"
SEARCH = "/api/v1/cases/caller-search/"
PHONE = "13812341234"


@pytest.fixture
def calls(world):
    return calls_from(world, PHONE)


def as_user(user, lang="en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("typed", [PHONE, "138-1234-1234", "+86 138 1234 1234"])
def test_a_phone_in_the_query_string_is_refused_and_says_where_to_go(world, calls, typed):
    refused = as_user(world.users["clerk"]).get(LIST, {"q": typed})
    error = refused.json()["error"]
    assert refused.status_code == 400 and error["code"] == "phone_in_url" and error["codes"] == {"q": "phone_in_url"}
    assert "POST /api/v1/cases/caller-search/" in error["message"]
    assert not ReporterAccessLog.objects.exists()  # nothing was looked up
    chinese = as_user(world.users["clerk"], "zh-hans").get(LIST, {"q": PHONE}).json()["error"]["message"]
    assert chinese.startswith("电话号码不能放在网址中") and "/api/v1/cases/caller-search/" in chinese
    # Text is still searched as before.
    assert as_user(world.users["clerk"]).get(LIST, {"q": "0009999"}).status_code == 200


def test_a_clerk_posts_the_phone_and_gets_the_callers_cases_paged_masked_and_logged(world, calls):
    mine, other = calls
    clerk = world.users["clerk"]
    first = as_user(clerk).post(f"{SEARCH}?page_size=2", {"phone": "138 1234 1234"}, format="json",
                                REMOTE_ADDR="10.2.3.4")
    body = first.json()
    assert first.status_code == 200 and body["count"] == 3 and len(body["results"]) == 2
    assert {row["reporter"]["phone"] for row in body["results"]} == {"138****1234"}
    assert PHONE not in first.content.decode() and "张三丰" not in first.content.decode()
    assert PHONE not in (body["next"] or "")
    second = as_user(clerk).post(body["next"], {"phone": PHONE}, format="json").json()
    assert {r["number"] for r in body["results"] + second["results"]} == {c.number for c in mine}
    # One access-log row per case each page showed, as the hotline desk writes them.
    logged = sorted((row.case_id, row.user_id, row.channel) for row in ReporterAccessLog.objects.all())
    assert logged == sorted((c.pk, clerk.pk, "caller") for c in mine)
    assert other.number not in str(body) + str(second)


def test_the_look_up_is_refused_to_others_and_limited(world, calls, settings):
    refused = as_user(world.users["leader"]).post(SEARCH, {"phone": PHONE}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "Only intake clerks may look up a caller's earlier cases."
    settings.WANGGE_RATE_LIMITS = {"caller_lookup": (1, 3600)}
    clerk = as_user(world.users["clerk"])
    assert clerk.post(SEARCH, {"phone": PHONE}, format="json").status_code == 200
    over = clerk.post(SEARCH, {"phone": PHONE}, format="json")
    assert over.status_code == 429 and over["Retry-After"] == "3600" and PHONE not in over.content.decode()
    assert ReporterAccessLog.objects.filter(user=world.users["leader"]).count() == 0


def test_not_a_whole_phone_number_is_a_400(world, calls):
    answer = as_user(world.users["clerk"]).post(SEARCH, {"phone": "1234"}, format="json")
    assert answer.status_code == 400 and answer.json()["error"]["codes"] == {"phone": "invalid"}
    assert as_user(world.users["clerk"]).get(SEARCH).status_code == 405
