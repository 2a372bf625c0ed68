"""The case API (/api/v1/cases/): authentication, scope, masked personal data, filters,
pagination, filing cases, bad input (always a structured 400, nothing written), languages,
the OpenAPI schema and the docs page, and one lifecycle over real HTTP."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.http import HttpRequest
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from wangge.cases import actions
from wangge.cases.actions import Target
from wangge.cases.choices import CaseStatus, Channel, EventType, Light
from wangge.cases.models import Case, CaseAttachment, CaseEvent, ReporterAccessLog
from wangge.notifications.models import Notification
from wangge.org.choices import RegionLevel, Role
from wangge.org.models import ApiToken
from wangge.org.services import issue_api_token
from wangge.testing import (
    LAT0,
    LNG0,
    add_region,
    add_subdistrict,
    case_in_state,
    file_case,
    make_category,
    make_user,
    png,
)

LIST = "/api/v1/cases/"
PHONE = "13812341234"

# Status labels and the actions' messages are translated in the cases app's own catalogue.
needs_cases_catalogue = pytest.mark.skipif(
    not (Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo").exists(),
    reason="wangge/cases has no compiled zh_Hans catalogue yet",
)


# ---------------------------------------------------------------------------------------------
# Helpers (also used by test_api_actions)
# ---------------------------------------------------------------------------------------------


def as_user(user=None, lang: str = "en") -> APIClient:
    """An API client signed in as ``user`` (anonymous for None), speaking ``lang``."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE=lang)
    if user is not None:
        client.force_authenticate(user)
    return client


def detail_url(case_or_number) -> str:
    number = getattr(case_or_number, "number", case_or_number)
    return f"/api/v1/cases/{number}/"


def written_counts() -> dict:
    """Everything a refused request must leave untouched."""
    return {
        "cases": Case.objects.count(),
        "events": CaseEvent.objects.count(),
        "attachments": CaseAttachment.objects.count(),
        "notifications": Notification.objects.count(),
        "updated": list(Case.objects.order_by("pk").values_list("updated_at", flat=True)),
    }


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["message"], error
    if code is not None:
        assert error["code"] == code, error
    return error


@pytest.fixture
def category(world):
    return make_category("占道经营", code="road-stall", department=world.departments["chengguan"])


def new_case_payload(world, **extra) -> dict:
    lng, lat = world.point_in(world.grids[0])
    payload = {
        "channel": "hotline",
        "title": "流动摊贩占道",
        "description": "小区门口有流动摊贩占道经营，影响通行",
        "longitude": lng,
        "latitude": lat,
        "address": "和平路1号",
        "reporter_name": "张三",
        "reporter_phone": PHONE,
    }
    payload.update(extra)
    return payload


# ---------------------------------------------------------------------------------------------
# Authentication
# ---------------------------------------------------------------------------------------------


def test_anonymous_gets_401_json(world):
    response = as_user().get(LIST)
    error = assert_error(response, 401, "not_authenticated")
    assert "Token" in response["WWW-Authenticate"]
    assert error["message"] == "Authentication credentials were not provided."


def test_token_and_session_authentication(world):
    clerk = world.users["clerk"]
    file_case(world)
    _token, key = issue_api_token(user=clerk, name="test", days=30)

    client = APIClient()
    assert client.get(LIST, HTTP_AUTHORIZATION=f"Token {key}").json()["count"] == 1
    assert_error(client.get(LIST, HTTP_AUTHORIZATION="Token not-a-token"), 401, "authentication_failed")

    session = APIClient()
    # django-axes watches every sign-in, and needs the request to do it.
    assert session.login(request=HttpRequest(), username="clerk", password="pw")
    assert session.get(LIST).status_code == 200


def test_obtain_token_with_username_and_password(world):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/api/v1/auth/token/", {"username": "clerk", "password": "pw"}, format="json")
    assert response.status_code == 200
    key = response.json()["token"]
    assert response.json()["expires_at"].endswith("+08:00")  # like every other time the API gives
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").json()["username"] == "clerk"
    # Keys are stored hashed, so asking again issues another token (both listed in the account page).
    assert client.post("/api/v1/auth/token/", {"username": "clerk", "password": "pw"}).json()["token"] != key
    assert ApiToken.objects.filter(user=world.users["clerk"]).count() == 2
    error = assert_error(client.post("/api/v1/auth/token/", {"username": "clerk", "password": "nope"}), 400)
    assert "Unable to log in" in error["message"]


def test_issue_token_command_prints_a_working_token(world):
    out = io.StringIO()
    call_command("issue_token", "leader", stdout=out)
    key = out.getvalue().strip()
    assert APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").json()["username"] == "leader"
    out2 = io.StringIO()
    call_command("issue_token", "leader", "--rotate", stdout=out2)
    assert out2.getvalue().strip() != key
    # --rotate revoked the first token.
    assert_error(APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}"), 401, "token_revoked")


# ---------------------------------------------------------------------------------------------
# Scope and personal data
# ---------------------------------------------------------------------------------------------


def test_list_and_detail_are_scoped_and_out_of_scope_is_404_like_missing(world):
    in_a1 = file_case(world, grid=world.grids[0])
    in_b1 = file_case(world, grid=world.grids[2])

    def numbers(user):
        return {row["number"] for row in as_user(user).get(LIST).json()["results"]}

    assert numbers(world.users["clerk"]) == {in_a1.number, in_b1.number}
    assert numbers(world.users["worker_a1"]) == {in_a1.number}
    assert numbers(world.users["secretary_b"]) == {in_b1.number}
    assert numbers(world.users["chengguan"]) == set()

    worker = as_user(world.users["worker_a1"])
    assert worker.get(detail_url(in_a1)).status_code == 200
    hidden = worker.get(detail_url(in_b1))
    missing = worker.get(detail_url("WG20990101-00001"))
    assert_error(hidden, 404, "not_found")
    assert hidden.json() == missing.json()


def test_reporter_is_masked_in_list_and_detail(world):
    case = file_case(world)
    client = as_user(world.users["clerk"])
    listed = client.get(LIST)
    detail = client.get(detail_url(case))
    for response in (listed, detail):
        assert PHONE.encode() not in response.content
        assert "张三".encode() not in response.content
    assert listed.json()["results"][0]["reporter"] == {"name": "张*", "phone": "138****1234", "anonymous": False}
    assert detail.json()["reporter"]["phone"] == "138****1234"
    assert detail.json()["can_reveal_reporter"] is True


def test_reveal_reporter_is_allowed_to_some_roles_and_logged(world):
    case = file_case(world)
    url = detail_url(case) + "reveal-reporter/"
    response = as_user(world.users["clerk"]).post(url, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response.json() == {"name": "张三", "phone": PHONE, "anonymous": False}
    log = ReporterAccessLog.objects.get()
    assert (log.case, log.user, log.channel, log.ip_address) == (case, world.users["clerk"], "api", "10.1.2.3")

    # A grid worker sees the case but not the resident's data; another grid's worker not even the case.
    assert_error(as_user(world.users["worker_a1"]).post(url), 403, "forbidden")
    assert_error(as_user(world.users["worker_b1"]).post(url), 404, "not_found")
    assert ReporterAccessLog.objects.filter(granted=True).count() == 1  # the refused attempt: granted=False


def test_reveals_are_rate_limited_per_person_and_the_refusal_is_logged(world, settings):
    """Every view is logged, and a leaked token still cannot pull every reporter's phone: past
    the limit a 429 with Retry-After, nothing unmasked, the attempt on record."""
    from django.core.cache import cache

    settings.WANGGE_RATE_LIMITS = {"reporter_reveal": (2, 3600)}
    cache.clear()  # the counters live in the cache
    cases = [file_case(world) for _ in range(3)]
    clerk = as_user(world.users["clerk"])
    for case in cases[:2]:
        assert clerk.post(detail_url(case) + "reveal-reporter/").status_code == 200
    refused = clerk.post(detail_url(cases[2]) + "reveal-reporter/")
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert refused.json()["error"]["code"] == "too_many_requests" and PHONE not in refused.content.decode()
    assert list(ReporterAccessLog.objects.filter(case=cases[2]).values_list("granted", flat=True)) == [False]
    # Another person's allowance is their own.
    assert as_user(world.users["leader"]).post(detail_url(cases[2]) + "reveal-reporter/").status_code == 200


# ---------------------------------------------------------------------------------------------
# The list: filters, ordering, pagination, query count
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def assorted(world, category):
    """Cases in several states, grids and categories (lead 城管 when dispatched)."""
    sub = make_category("夜间施工", code="night-work", parent=category)
    other = make_category("供暖", code="heating", department=world.departments["huanwei"])
    cases = {
        "submitted_a1": file_case(world, grid=world.grids[0], title="井盖缺失", channel=Channel.WECHAT),
        "dispatched_a2": case_in_state(world, CaseStatus.DISPATCHED, category=sub, grid=world.grids[1]),
        "resolved_b1": case_in_state(world, CaseStatus.RESOLVED, category=other, grid=world.grids[2]),
        "closed_b2": case_in_state(world, CaseStatus.CLOSED, category=category, grid=world.grids[3], star=2),
    }
    Case.objects.filter(pk=cases["closed_b2"].pk).update(submitted_at=timezone.now() - dt.timedelta(days=40))
    # Light as the sweep would set it: the dispatched case is overdue.
    Case.objects.filter(pk=cases["dispatched_a2"].pk).update(light=Light.RED)
    return cases


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=submitted", {"submitted_a1"}),
        ("status=resolved&status=closed", {"resolved_b1", "closed_b2"}),
        ("star=2", {"closed_b2"}),
        ("category={road-stall}", {"dispatched_a2", "closed_b2"}),  # with its sub-category
        ("category={night-work}", {"dispatched_a2"}),
        ("grid={grid2}", {"resolved_b1"}),
        ("community={community0}", {"submitted_a1", "dispatched_a2"}),
        ("department={chengguan}", {"dispatched_a2", "resolved_b1", "closed_b2"}),  # lead 城管
        ("department={huanwei}", set()),
        ("light=red", {"dispatched_a2"}),
        ("overdue=true", {"dispatched_a2"}),
        ("is_open=false", {"resolved_b1", "closed_b2"}),
        ("channel=wechat", {"submitted_a1"}),
        ("q=井盖", {"submitted_a1"}),
        ("submitted_before={days_ago_30}", {"closed_b2"}),
        ("submitted_after={days_ago_30}&status=closed", set()),
    ],
)
def test_list_filters(world, assorted, query, expected):
    from wangge.cases.models import Category

    values = {
        "road-stall": Category.objects.get(code="road-stall").pk,
        "night-work": Category.objects.get(code="night-work").pk,
        "grid2": world.grids[2].pk,
        "community0": world.communities[0].pk,
        "chengguan": world.departments["chengguan"].pk,
        "huanwei": world.departments["huanwei"].pk,
        "days_ago_30": (timezone.localdate() - dt.timedelta(days=30)).isoformat(),
    }
    response = as_user(world.users["clerk"]).get(f"{LIST}?{query.format(**values)}")
    assert response.status_code == 200, response.content
    got = {row["number"] for row in response.json()["results"]}
    assert got == {assorted[name].number for name in expected}


def test_list_filters_by_sub_district(world, category):
    other, other_grid = add_subdistrict(world)
    here = file_case(world)
    there = file_case(world, grid=other_grid, actor=make_user(Role.INTAKE_CLERK, region=other))
    district = as_user(world.users["district_leader"])

    def numbers(client, query):
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 200, response.content
        return {row["number"] for row in response.json()["results"]}, response.json()["count"]

    assert numbers(district, "") == ({here.number, there.number}, 2)
    assert numbers(district, f"subdistrict={other.pk}") == ({there.number}, 1)
    assert numbers(district, f"subdistrict={world.subdistrict.pk}") == ({here.number}, 1)
    assert numbers(district, f"subdistrict={other.pk}&q=摊贩") == ({there.number}, 1)
    # Outside the user's scope: an empty list, as for a grid or a community outside it —
    # the same answer as for a sub-district of theirs without cases.
    leader = as_user(world.users["leader"])
    quiet = add_region(world.district, RegionLevel.SUBDISTRICT, "无事街道")
    assert numbers(leader, f"subdistrict={other.pk}") == (set(), 0)
    assert numbers(leader, f"grid={other_grid.pk}") == (set(), 0)
    assert numbers(district, f"subdistrict={quiet.pk}") == (set(), 0)
    # Not a sub-district at all, or no such place: a 400, as for a grid.
    for value in (world.communities[0].pk, 99999999, "abc"):
        assert_error(district.get(f"{LIST}?subdistrict={value}"), 400, "invalid")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="index plans are PostgreSQL's")
def test_a_sub_districts_list_reads_its_own_index_newest_first(world, category):
    """As a grid's or a community's list does: the district leader's list of one sub-district,
    newest first, walks that sub-district's index, not the whole district's newest cases."""
    from wangge.cases.filtersets import CaseFilterSet
    from wangge.cases.selectors import cases_visible_to

    other, _grid = add_subdistrict(world)
    filtered = CaseFilterSet(data={"subdistrict": other.pk},
                             queryset=cases_visible_to(world.users["district_leader"])).qs
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = filtered.order_by("-submitted_at", "-pk")[:50].explain()
    index = next(i.name for i in Case._meta.indexes if i.fields == ["subdistrict", "submitted_at"])
    assert index in plan, plan


def test_bad_filter_values_are_400_not_500(world, assorted):
    client = as_user(world.users["clerk"])
    for query in ("status=nonsense", "grid=abc", "category=999999", "submitted_after=yesterday", "star=9",
                  "department=99999999999999999999999"):
        assert_error(client.get(f"{LIST}?{query}"), 400, "invalid")


def test_ordering_and_pagination(world, assorted):
    client = as_user(world.users["clerk"])
    everything = [row["number"] for row in client.get(f"{LIST}?ordering=number").json()["results"]]
    assert everything == sorted(everything) and len(everything) == 4
    descending = [row["number"] for row in client.get(f"{LIST}?ordering=-number").json()["results"]]
    assert descending == everything[::-1]
    by_due = client.get(f"{LIST}?ordering=resolve_due_at").json()["results"]
    assert [r["resolve_due_at"] for r in by_due] == sorted(r["resolve_due_at"] for r in by_due)

    page1 = client.get(f"{LIST}?ordering=number&page_size=3").json()
    page2 = client.get(f"{LIST}?ordering=number&page_size=3&page=2").json()
    assert page1["count"] == 4 and page1["next"] and page1["previous"] is None
    assert [r["number"] for r in page1["results"] + page2["results"]] == everything
    assert_error(client.get(f"{LIST}?page=9"), 404, "not_found")


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"{LIST}?page_size=100").status_code == 200
    return len(ctx.captured_queries)


def test_list_makes_a_fixed_number_of_queries(world, category, django_assert_max_num_queries):
    clerk = world.users["clerk"]
    client = as_user(clerk)
    case_in_state(world, CaseStatus.DISPATCHED, category=category)
    few = _list_queries(as_user(clerk))
    for i in range(12):
        case = case_in_state(world, CaseStatus.DISPATCHED, category=category, grid=world.grids[i % 4])
        if i % 2:
            actions.claim_case(case=case, actor=world.users["chengguan"])
    assert _list_queries(as_user(clerk)) == few
    with django_assert_max_num_queries(6):
        rows = client.get(f"{LIST}?page_size=100").json()["results"]
    assert len(rows) == 13
    assert all(row["lead"]["target"]["name"] == "区城管执法局" for row in rows)
    assert {row["lead_department"]["name"] for row in rows} == {"区城管执法局"}


def test_detail_makes_a_fixed_number_of_queries(world, category, django_assert_max_num_queries):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=category)
    for i in range(5):
        actions.add_progress_note(case=case, actor=world.users["chengguan"], note=f"进展{i}", attachments=[png()])
    with django_assert_max_num_queries(14):
        body = as_user(world.users["clerk"]).get(detail_url(case)).json()
    assert len([e for e in body["timeline"] if e["type"] == EventType.PROGRESS]) == 5


# ---------------------------------------------------------------------------------------------
# Detail
# ---------------------------------------------------------------------------------------------


def test_detail_has_timeline_handlers_deadlines_and_the_users_actions(world, category):
    clerk, officer = world.users["clerk"], world.users["chengguan"]
    case = file_case(world, category=category)
    case = actions.accept_case(case=case, actor=clerk, note="受理")
    case = actions.dispatch_case(case=case, actor=clerk, lead=Target(department=world.departments["chengguan"]),
                                 co_handlers=[Target(department=world.departments["huanwei"])])
    actions.report_in(case=case, actor=world.users["huanwei"], note="环卫报到")
    actions.add_progress_note(case=case, actor=officer, note="已到场", attachments=[png("scene.png")])

    body = as_user(clerk).get(detail_url(case)).json()
    assert body["status"] == "dispatched" and body["status_label"] == "Dispatched"
    assert body["category"] == {"id": category.pk, "name": "占道经营", "name_en": ""}
    assert body["grid"]["id"] == world.grids[0].pk and body["community"]["id"] == world.communities[0].pk

    types = [e["type"] for e in body["timeline"]]
    assert types == ["created", "accepted", "dispatched", "reported_in", "progress"]
    accepted = body["timeline"][1]
    assert (accepted["label"], accepted["actor"], accepted["actor_kind"]) == ("Accepted", "clerk", "staff")
    assert (accepted["from_status"], accepted["to_status"], accepted["note"]) == ("submitted", "accepted", "受理")
    progress = body["timeline"][-1]
    assert progress["attachments"][0]["original_name"] == "scene.png"
    assert progress["attachments"][0]["url"].startswith(f"http://testserver/api/v1/cases/{case.number}/attachments/")

    active = [a for a in body["assignments"] if a["active"]]
    lead = next(a for a in active if a["role"] == "lead")
    co = next(a for a in active if a["role"] == "assist")
    assert (lead["kind"], lead["target"]["name"]) == ("department", "区城管执法局")
    assert co["target"]["name"] == "区环卫中心" and co["reported_in_at"] is not None

    deadlines = {d["stage"]: d for d in body["deadlines"]}
    assert deadlines["accept"]["state"] == deadlines["dispatch"]["state"] == "done"
    assert deadlines["resolve"]["state"] == "running"
    assert deadlines["resolve"]["light"] == "green" and deadlines["resolve"]["time_left_seconds"] > 0

    assert "dispatch" not in body["available_actions"]
    assert {"urge", "suspend", "escalate"} <= set(body["available_actions"])
    officer_actions = as_user(officer).get(detail_url(case)).json()["available_actions"]
    assert {"claim", "return", "progress"} <= set(officer_actions)
    assert "resolve" not in officer_actions  # claimed (认领) first
    assert "urge" not in officer_actions


@needs_cases_catalogue
def test_detail_in_chinese(world, category):
    case = case_in_state(world, CaseStatus.ACCEPTED, category=category)
    body = as_user(world.users["clerk"], lang="zh-CN").get(detail_url(case)).json()
    assert body["status_label"] != "Accepted" and re.search(r"[\u4e00-\u9fff]", body["status_label"])
    assert re.search(r"[\u4e00-\u9fff]", body["timeline"][0]["label"])


# ---------------------------------------------------------------------------------------------
# Filing a case
# ---------------------------------------------------------------------------------------------


def test_a_phone_typed_in_full_width_is_stored_as_the_digits(world, category):
    """An integrator (or a clerk) posting ＋８６ １３８－１２３４－１２３４ as a Chinese input method
    typed it: the case files, and the phone stored is the one a search by the caller's phone
    compares with — the same resident as the earlier caller of that number."""
    first = as_user(world.users["clerk"]).post(LIST, new_case_payload(world), format="json")
    again = as_user(world.users["clerk"]).post(
        LIST, new_case_payload(world, reporter_phone="＋８６ １３８－１２３４－１２３４"), format="json")
    assert (first.status_code, again.status_code) == (201, 201), again.content
    earlier, later = (Case.objects.get(number=r.json()["number"]) for r in (first, again))
    assert PHONE == "13812341234" and later.reporter_phone == PHONE and later.reporter_id == earlier.reporter_id
    assert again.json()["reporter"]["phone"] == "138****1234"


def test_file_a_case_as_json(world, category):
    response = as_user(world.users["clerk"]).post(LIST, new_case_payload(world, category="road-stall", star=2),
                                                  format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert re.fullmatch(r"WG\d{8}-\d{5}", body["number"])
    assert response["Location"].endswith(f"/api/v1/cases/{body['number']}/")
    case = Case.objects.get(number=body["number"])
    assert (case.channel, case.grid, case.category, case.star) == ("hotline", world.grids[0], category, 2)
    assert case.created_by == world.users["clerk"] and case.reporter_phone == PHONE
    assert body["reporter"]["phone"] == "138****1234"
    assert [e["type"] for e in body["timeline"]] == ["created"]
    assert "accept" in body["available_actions"]


def test_file_a_case_asking_for_a_minimal_answer(world):
    response = as_user(world.users["clerk"]).post(LIST, new_case_payload(world), format="json",
                                                  HTTP_PREFER="return=minimal")
    assert response.status_code == 201
    assert response["Preference-Applied"] == "return=minimal"
    body = response.json()
    assert set(body) == {"number", "url"} and body["url"] == response["Location"]
    assert Case.objects.filter(number=body["number"], created_by=world.users["clerk"]).exists()


def test_file_a_case_with_photos_as_multipart(world, category):
    payload = new_case_payload(world, category=str(category.pk), attachments=[png("a.png"), png("b.png")])
    response = as_user(world.users["worker_a1"]).post(LIST, payload, format="multipart")
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert sorted(a.original_name for a in case.attachments.all()) == ["a.png", "b.png"]
    assert {a["content_type"] for a in response.json()["attachments"]} == {"image/png"}


def test_photos_download_only_for_those_who_see_the_case(world, category):
    payload = new_case_payload(world, category=str(category.pk), attachments=[png("a.png")])
    created = as_user(world.users["worker_a1"]).post(LIST, payload, format="multipart").json()
    url = created["attachments"][0]["url"]
    assert "/media/" not in url
    inside = as_user(world.users["clerk"]).get(url)
    assert inside.status_code == 200 and inside["Content-Type"] == "image/png"
    assert b"".join(inside.streaming_content).startswith(b"\x89PNG")
    # A grid worker of another grid cannot fetch it, nor can an anonymous client.
    assert_error(as_user(world.users["worker_b1"]).get(url), 404)
    assert as_user(None).get(url).status_code == 401


def test_file_a_case_by_region_instead_of_coordinates(world):
    payload = new_case_payload(world, longitude=None, latitude=None, region=world.grids[3].pk)
    response = as_user(world.users["clerk"]).post(LIST, payload, format="json")
    assert response.status_code == 201, response.content
    assert Case.objects.get(number=response.json()["number"]).grid == world.grids[3]


def test_a_role_that_cannot_file_gets_403_and_nothing_is_written(world):
    before = written_counts()
    assert_error(as_user(world.users["chengguan"]).post(LIST, new_case_payload(world), format="json"), 403)
    assert written_counts() == before


def _bad_file(kind: str):
    if kind == "not_an_image":
        return SimpleUploadedFile("photo.png", b"this is plain text pretending to be a PNG", content_type="image/png")
    if kind == "empty":
        return SimpleUploadedFile("photo.png", b"", content_type="image/png")
    if kind == "oversized":
        return png("big.png", size=(400, 400))  # larger than the 1 KiB limit set below
    if kind == "decompression_bomb":
        return SimpleUploadedFile("bomb.png", _png_claiming(100_000, 100_000), content_type="image/png")
    raise ValueError(kind)


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture (10 gigapixels)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 10))
            + chunk(b"IEND", b""))


BAD_CREATE = {
    # name: (changes to the payload, the field named in the error)
    "missing description": ({"description": None}, "description"),
    "blank description": ({"description": "   "}, "description"),
    "no location": ({"longitude": None, "latitude": None}, "location"),
    "outside every grid": ({"longitude": LNG0 - 1, "latitude": LAT0 - 1}, "location"),
    "longitude only": ({"latitude": None}, "longitude"),
    "non-numeric coordinates": ({"longitude": "east", "latitude": "north"}, "longitude"),
    "NaN coordinates": ({"longitude": "NaN", "latitude": "NaN"}, "longitude"),
    "infinite coordinates": ({"longitude": "Infinity", "latitude": 39.9}, "longitude"),
    "coordinates as a list": ({"longitude": [116.3], "latitude": {"a": 1}}, "longitude"),
    "unknown category id": ({"category": 987654}, "category"),
    "unknown category code": ({"category": "no-such-thing"}, "category"),
    "huge category id": ({"category": 10**30}, "category"),
    "category as an object": ({"category": {"id": 1}}, "category"),
    "unknown channel": ({"channel": "telepathy"}, "channel"),
    "star out of range": ({"star": 7}, "star"),
    "star as text": ({"star": "lots"}, "star"),
    "unknown handling type": ({"handling_type": "magic"}, "handling_type"),
    "unknown region": ({"longitude": None, "latitude": None, "region": 10**12}, "region"),
    "region as text": ({"longitude": None, "latitude": None, "region": "grid one"}, "region"),
    "region id beyond 64 bits": ({"longitude": None, "latitude": None, "region": 10**30}, "region"),
    "category as a superscript digit": ({"category": "²"}, "category"),
    "huge title": ({"title": "长" * 100_000}, "title"),
    "huge description": ({"description": "x" * 1_000_000}, "description"),
    "description as a list": ({"description": ["a", "b"]}, "description"),
    "description as a number": ({"description": True}, "description"),
    "NUL byte": ({"description": "abc\x00def"}, "description"),
    "bad phone": ({"reporter_phone": "call me maybe"}, "reporter_phone"),
    "anonymous as text": ({"reporter_anonymous": "perhaps"}, "reporter_anonymous"),
    "attachments in JSON": ({"attachments": ["not a file"]}, "attachments.0"),
}


@pytest.mark.parametrize("name", list(BAD_CREATE))
def test_bad_input_on_create_is_400_and_nothing_is_written(world, category, name):
    changes, field = BAD_CREATE[name]
    payload = {k: v for k, v in {**new_case_payload(world), **changes}.items() if v is not None}
    before = written_counts()
    error = assert_error(as_user(world.users["clerk"]).post(LIST, payload, format="json"), 400, "invalid")
    assert field in error["fields"], error
    assert written_counts() == before


@pytest.mark.parametrize("kind, code", [("not_an_image", "bad_type"), ("empty", "empty"),
                                        ("oversized", "too_large"), ("decompression_bomb", "bad_type")])
def test_bad_photo_is_400_and_nothing_is_written(world, settings, kind, code):
    settings.WANGGE_ATTACHMENT_MAX_BYTES = 1024
    payload = new_case_payload(world, attachments=[png("fine.png"), _bad_file(kind)])
    before = written_counts()
    error = assert_error(as_user(world.users["clerk"]).post(LIST, payload, format="multipart"), 400, "invalid")
    assert error["codes"]["attachments"] == code
    assert written_counts() == before


def test_too_many_photos_is_400(world, settings):
    settings.WANGGE_ATTACHMENT_MAX_COUNT = 2
    payload = new_case_payload(world, attachments=[png(f"{i}.png") for i in range(3)])
    before = written_counts()
    error = assert_error(as_user(world.users["clerk"]).post(LIST, payload, format="multipart"), 400)
    assert error["codes"]["attachments"] == "too_many"
    assert written_counts() == before


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b'{"description": "x", ', "application/json"),  # cut short
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'"just a string"', "application/json"),
        (b"null", "application/json"),
        (b'{"description": NaN}', "application/json"),
        (b"<xml>no</xml>", "application/xml"),
        (b"--nope\r\nnot multipart", "multipart/form-data; boundary=nope"),
        (b"--\r\n", "multipart/form-data"),
    ],
)
def test_garbage_bodies_are_4xx_json_never_500(world, body, content_type):
    before = written_counts()
    client = as_user(world.users["clerk"])
    response = client.generic("POST", LIST, data=body, content_type=content_type)
    assert response.status_code in (400, 415), (response.status_code, response.content[:300])
    assert "error" in response.json()
    assert written_counts() == before


def test_a_body_over_the_upload_limit_is_refused_cleanly(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    body = json.dumps(new_case_payload(world, description="x" * 200_000))
    before = written_counts()
    response = as_user(world.users["clerk"]).generic("POST", LIST, data=body, content_type="application/json")
    assert_error(response, 413, "too_large")
    assert written_counts() == before


def test_too_many_form_fields_or_query_parameters_are_400(world):
    client = as_user(world.users["clerk"])
    before = written_counts()
    assert_error(client.post(LIST, {f"f{i}": "x" for i in range(1200)}, format="multipart"), 400, "invalid")
    assert_error(client.get(LIST + "?" + "&".join(f"q{i}=1" for i in range(1200))), 400, "invalid")
    assert written_counts() == before


# ---------------------------------------------------------------------------------------------
# Languages
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, unknown_category, required",
    [
        ("en", "Unknown category: no-such-thing.", "This field is required."),
        ("zh-CN", "未知的事件分类：no-such-thing。", "该字段是必填项。"),
        ("zh-hans", "未知的事件分类：no-such-thing。", "该字段是必填项。"),
    ],
)
def test_validation_errors_speak_the_requested_language(world, lang, unknown_category, required):
    client = as_user(world.users["clerk"], lang=lang)
    error = assert_error(client.post(LIST, new_case_payload(world, category="no-such-thing"), format="json"), 400)
    assert error["fields"]["category"] == unknown_category
    payload = new_case_payload(world)
    del payload["description"]
    error = assert_error(client.post(LIST, payload, format="json"), 400)
    assert error["fields"]["description"] == required
    garbage = client.generic("POST", LIST, data=b"{oops", content_type="application/json")
    message = assert_error(garbage, 400, "parse_error")["message"]
    assert bool(re.search(r"[\u4e00-\u9fff]", message)) == lang.startswith("zh")


@needs_cases_catalogue
def test_action_errors_speak_the_requested_language(world):
    case = case_in_state(world, CaseStatus.REJECTED)
    url = detail_url(case) + "accept/"
    en = assert_error(as_user(world.users["clerk"], "en").post(url, {}, format="json"), 400, "invalid_state")
    zh = assert_error(as_user(world.users["clerk"], "zh-CN").post(url, {}, format="json"), 400, "invalid_state")
    assert "cannot be accepted now" in en["message"]
    assert re.search(r"[\u4e00-\u9fff]", zh["message"]) and "cannot" not in zh["message"]


# ---------------------------------------------------------------------------------------------
# Schema and docs
# ---------------------------------------------------------------------------------------------


# POST endpoints that are commands with nothing to say (the meeting's steps, the logged reveal).
COMMANDS_WITHOUT_INPUT = ("/reveal-reporter/", "/close/", "/minutes/publish/", "/propose-agenda/",
                          "/publish-agenda/")


def test_openapi_schema_is_valid_and_documents_every_endpoint(world):
    from openapi_spec_validator import validate

    response = as_user(world.users["clerk"]).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)

    paths = schema["paths"]
    for path in ["/api/v1/cases/", "/api/v1/cases/{number}/", "/api/v1/cases/{number}/dispatch/",
                 "/api/v1/cases/{number}/extensions/{extension_id}/approve/", "/api/v1/regions/",
                 "/api/v1/grids.geojson", "/api/v1/grids/lookup/", "/api/v1/categories/", "/api/v1/departments/",
                 "/api/v1/me/", "/api/v1/notifications/", "/api/v1/auth/token/", "/api/v1/sla-policies/"]:
        assert path in paths, path
    for path, operations in paths.items():
        for method, op in operations.items():
            if method == "parameters":
                continue
            assert op.get("summary"), (path, method)
            ok = [code for code in op["responses"] if code.startswith("2")]
            assert ok and "content" in op["responses"][ok[0]], (path, method)
            if method == "post" and not path.endswith(COMMANDS_WITHOUT_INPUT):
                assert "requestBody" in op, (path, method)
            if path != "/api/v1/auth/token/":
                assert op["responses"]["401"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    listing = paths["/api/v1/cases/"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"status", "star", "category", "subdistrict", "grid", "community", "department", "light", "overdue",
            "is_open", "submitted_after", "submitted_before", "q", "channel", "page", "page_size", "ordering"} <= names
    subdistrict = next(p for p in listing["parameters"] if p["name"] == "subdistrict")
    assert subdistrict["in"] == "query" and subdistrict["schema"]["type"] == "integer"
    create = paths["/api/v1/cases/"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(create)


def test_schema_generation_has_no_warnings(tmp_path):
    # --fail-on-warn: every view, serializer field and filter is typed for the schema.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/cases/{number}/revisit/" in (tmp_path / "schema.yaml").read_text()


def test_docs_page_uses_only_local_assets(world):
    from django.contrib.staticfiles import finders

    client = APIClient()
    client.force_login(world.users["clerk"])
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    hosts = set(re.findall(r"https?://([^/\"'\s)]+)", html))
    assert hosts <= {"testserver"}, hosts
    assets = re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", html)
    assert any("swagger-ui" in a for a in assets)
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/").split("?")[0]), asset
    assert reverse("schema") in html


# ---------------------------------------------------------------------------------------------
# Over real HTTP
# ---------------------------------------------------------------------------------------------


def test_a_case_from_filing_to_resolution_over_real_http(live_server, world, category):
    import httpx

    def token(user):
        return {"Authorization": f"Token {issue_api_token(user=user, name='http', days=1)[1]}",
                "Accept-Language": "en"}

    clerk, officer = token(world.users["clerk"]), token(world.users["chengguan"])
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=30) as http:
        assert http.get("/cases/").status_code == 401
        created = http.post("/cases/", headers=clerk,
                            data={k: str(v) for k, v in new_case_payload(world).items()},
                            files=[("attachments", ("scene.png", png().read(), "image/png"))])
        assert created.status_code == 201, created.text
        number = created.json()["number"]

        lead = {"lead": {"department": world.departments["chengguan"].pk}}
        bad = http.post(f"/cases/{number}/dispatch/", headers=clerk, json=lead)
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_state"

        accepted = http.post(f"/cases/{number}/accept/", headers=clerk, json={"category": "road-stall"})
        assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
        dispatched = http.post(f"/cases/{number}/dispatch/", headers=clerk, json=lead)
        assert dispatched.status_code == 200 and dispatched.json()["status"] == "dispatched"

        assert http.get(f"/cases/{number}/", headers=officer).json()["status"] == "dispatched"
        # 办结 comes after 认领: the dispatched case is refused, saying what to do first.
        early = http.post(f"/cases/{number}/resolve/", headers=officer, data={"result": "已清理摊贩，恢复通行"})
        assert early.status_code == 400 and early.json()["error"]["code"] == "invalid_state"
        assert "Claim the case first" in early.json()["error"]["message"]
        assert http.post(f"/cases/{number}/claim/", headers=officer, json={}).status_code == 200
        resolved = http.post(f"/cases/{number}/resolve/", headers=officer,
                             data={"result": "已清理摊贩，恢复通行"},
                             files=[("attachments", ("after.png", png().read(), "image/png"))])
        assert resolved.status_code == 200, resolved.text
        body = resolved.json()
        assert body["status"] == "resolved"
        assert [e["type"] for e in body["timeline"]] == ["created", "accepted", "dispatched", "claimed", "resolved"]
        photo = body["timeline"][-1]["attachments"][0]["url"]
        assert photo.startswith(live_server.url)
        assert "close" not in http.get(f"/cases/{number}/", headers=clerk).json()["available_actions"]

        # 结案 waits for the revisit (三看): refused, nothing written, then closed once it is recorded.
        early = http.post(f"/cases/{number}/close/", headers=clerk, json={})
        assert early.status_code == 400 and early.json()["error"]["code"] == "invalid_state"
        assert "Revisit the resident first" in early.json()["error"]["message"]
        assert Case.objects.get(number=number).status == CaseStatus.RESOLVED
        revisit = {"lawful": True, "in_place": True, "accepted": True, "note": "电话回访"}
        assert http.post(f"/cases/{number}/revisit/", headers=clerk, json=revisit).status_code == 200
        unrated = http.post(f"/cases/{number}/close/", headers=clerk, json={})
        assert unrated.status_code == 400 and "rating_declined" in unrated.text
        closed = http.post(f"/cases/{number}/close/", headers=clerk, json={"rating_declined": True})
        assert closed.status_code == 200, closed.text
        assert closed.json()["status"] == "closed"
    assert Case.objects.get(number=number).status == CaseStatus.CLOSED
