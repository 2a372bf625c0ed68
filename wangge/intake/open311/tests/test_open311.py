"""Open311 GeoReport v2 end to end, as client apps use it: every JSON answer validated against the
GeoReport v2 schemas (tests/schemas), every XML answer well-formed with the spec's element names,
every refusal the standard error list with its HTTP status — and nothing written."""

from __future__ import annotations

import pytest
from django.db import connection

from wangge.cases import actions as case_actions
from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case, CaseEvent
from wangge.intake.open311 import actions
from wangge.intake.open311.models import Open311Client, Open311Request, ServiceAttribute
from wangge.residents.masking import mask_name

from .conftest import validate, xml

pytestmark = pytest.mark.django_db


def file(api, report, **changes):
    response = api.post("requests.json", {**report, **changes})
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    validate("wangge/created.json", body)
    return body[0]


def assert_error(response, status: int, *, contains: str = ""):
    assert response.status_code == status, response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        validate("wangge/errors.json", body)
        descriptions = " ".join(e["description"] for e in body)
        assert body[0]["code"] == status
    else:
        root = xml(response)
        assert root.tag == "errors" and [c.tag for c in root[0]] == ["code", "description"]
        assert root[0].findtext("code") == str(status)
        descriptions = " ".join(e.findtext("description") for e in root)
    assert contains in descriptions, descriptions


# ---------------------------------------------------------------- discovery and services

def test_discovery_names_the_spec_and_both_formats(api):
    body = api.get("discovery.json").json()
    validate("wangge/discovery.json", body)
    assert body["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert body["endpoints"][0]["url"].endswith("/open311/v2/")
    root = xml(api.get("discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_services_are_our_categories_with_their_group(api, services):
    ServiceAttribute.objects.create(category=services["lift"], code="floor", description="几楼？", required=True)
    body = api.get("services.json").json()
    validate("georeport-v2/services.json", body)
    by_code = {s["service_code"]: s for s in body}
    assert by_code["zhandao"] == {
        "service_code": "zhandao", "service_name": "路边摆摊", "description": "占道经营", "metadata": False,
        "type": "realtime", "keywords": "摊贩, 占道", "group": "市容环境",
    }
    assert by_code["dianti"]["metadata"] is True
    root = xml(api.get("services.xml"))
    assert root.tag == "services" and {s.findtext("service_code") for s in root.iter("service")} == set(by_code)
    assert root.find("service/metadata").text in ("true", "false")


def test_a_retired_category_is_no_service(api, services):
    services["lift"].is_active = False
    services["lift"].save()
    assert "dianti" not in {s["service_code"] for s in api.get("services.json").json()}
    assert_error(api.get("services/dianti.json"), 404, contains="dianti")


def test_service_definition_lists_the_attributes(api, services):
    ServiceAttribute.objects.create(category=services["lift"], code="floor", description="几楼？", required=True,
                                    datatype="singlevaluelist", order=1,
                                    values=[{"key": "1", "name": "一楼"}, {"key": "2", "name": "二楼"}])
    body = api.get("services/dianti.json").json()
    validate("georeport-v2/service-definition.json", body)
    assert body["attributes"][0]["values"] == [{"key": "1", "name": "一楼"}, {"key": "2", "name": "二楼"}]
    root = xml(api.get("services/dianti.xml"))
    assert root.tag == "service_definition"
    assert [v.findtext("name") for v in root.findall("attributes/attribute/values/value")] == ["一楼", "二楼"]
    assert_error(api.get("services/nope.xml"), 404)


# ---------------------------------------------------------------- an existing client app's flow

def test_post_then_get_by_id_and_by_token_as_a_client_library_does(api, report, app_client, world):
    created = file(api, report)
    number = created["service_request_id"]
    case = Case.objects.get(number=number)
    assert case.channel == "open311" and case.source == f"open311:{app_client.pk}"
    assert case.external_id == created["token"] and case.grid == world.grids[0]
    assert created["account_id"] == "acc-9"
    assert (case.reporter_name, case.reporter_phone) == ("张三", "13912345678")

    detail = api.get(f"requests/{number}.json").json()
    validate("georeport-v2/requests.json", detail)
    request = detail[0]
    assert request["status"] == "open" and request["service_code"] == "zhandao"
    assert request["requested_datetime"].endswith("+08:00")
    assert request["media_url"] == "https://img.example.cn/p/1.jpg"
    assert request["expected_datetime"] is not None and request["service_notice"]

    tokens = api.get(f"tokens/{created['token']}.json").json()
    validate("wangge/tokens.json", tokens)
    assert tokens == [{"service_request_id": number, "token": created["token"]}]

    root = xml(api.get(f"requests/{number}.xml"))
    assert root.tag == "service_requests" and root[0].tag == "request"
    assert root.findtext("request/service_request_id") == number
    assert {c.tag for c in root[0]} >= {"status", "status_notes", "service_name", "agency_responsible",
                                         "service_notice", "requested_datetime", "updated_datetime",
                                         "expected_datetime", "address", "lat", "long", "media_url"}
    post_xml = xml(api.post("requests.xml", {**report, "token": "xml-retry-1"}))
    assert post_xml.tag == "service_requests" and post_xml.findtext("request/token") == "xml-retry-1"


def test_reads_never_expose_the_reporter(api, report):
    created = file(api, report)
    for path in (f"requests/{created['service_request_id']}.json", "requests.json", "servicerequestupdates.json",
                 f"requests/{created['service_request_id']}.xml"):
        body = api.get(path).content.decode()
        for secret in ("张三", "13912345678", "zhang@example.cn", "dev-1", "13812341234"):
            assert secret not in body, (path, secret)
    # The phone number the resident typed into the description is masked for the public.
    assert "138****1234" in api.get(f"requests/{created['service_request_id']}.json").json()[0]["description"]


def test_the_media_url_is_recorded_on_the_timeline_not_fetched(api, report):
    created = file(api, report)
    case = Case.objects.get(number=created["service_request_id"])
    entry = CaseEvent.objects.get(case=case, type="open311_received")
    assert "https://img.example.cn/p/1.jpg" in entry.note and entry.public is False
    assert case.attachments.count() == 0


def test_status_follows_the_lifecycle_with_notes_agency_and_updates(api, report, world):
    created = file(api, report)
    case = Case.objects.get(number=created["service_request_id"])
    clerk, officer = world.users["clerk"], world.users["chengguan"]
    case = case_actions.accept_case(case=case, actor=clerk)
    case = case_actions.dispatch_case(case=case, actor=clerk, lead=case_actions.Target(department=world.departments["chengguan"]))
    case = case_actions.claim_case(case=case, actor=officer)
    request = api.get(f"requests/{case.number}.json").json()[0]
    assert (request["status"], request["agency_responsible"]) == ("open", "区城管执法局")
    case_actions.resolve_case(case=case, actor=officer, result="已清理摊贩，恢复通行")

    request = api.get(f"requests/{case.number}.json").json()[0]
    assert (request["status"], request["status_notes"]) == ("closed", "已清理摊贩，恢复通行")
    assert request["service_notice"] is None
    updates = api.get("servicerequestupdates.json", {"service_request_id": case.number}).json()
    validate("wangge/updates.json", updates)
    assert [u["status"] for u in updates] == ["open", "investigating", "action_scheduled", "in_progress", "fixed"]
    assert updates[-1]["description"] == "已清理摊贩，恢复通行"
    assert request["updated_datetime"] == updates[-1]["updated_datetime"]
    root = xml(api.get("servicerequestupdates.xml", {"service_request_id": case.number}))
    assert root.tag == "service_request_updates" and root[0].tag == "request_update"
    assert {c.tag for c in root[0]} >= {"update_id", "service_request_id", "status", "updated_datetime", "description"}


def test_a_rejected_case_is_closed_with_its_reason(api, report, world):
    created = file(api, report)
    case_actions.reject_case(case=Case.objects.get(number=created["service_request_id"]),
                             actor=world.users["clerk"], reason="不属于本街道管辖")
    request = api.get(f"requests/{created['service_request_id']}.json").json()[0]
    assert request["status"] == "closed" and "不属于本街道管辖" in request["status_notes"]


def test_list_filters_and_pages(api, report, world):
    from wangge.testing import file_case

    ids = [file(api, report, token=f"t-{i}")["service_request_id"] for i in range(3)]
    hotline = file_case(world, category=None)  # another channel, no category
    case_actions.reject_case(case=Case.objects.get(number=ids[0]), actor=world.users["clerk"], reason="重复")

    def listed(**params):
        body = api.get("requests.json", params).json()
        validate("georeport-v2/requests.json", body)
        return [r["service_request_id"] for r in body]

    # A hotline caller's words are not published: only what came in through Open311 is listed.
    assert set(listed()) == set(ids)
    assert listed(service_request_id=hotline.number) == []
    assert set(listed(service_request_id=f"{ids[1]},{ids[0]}")) == {ids[0], ids[1]}
    assert set(listed(service_code="zhandao")) == set(ids)
    assert set(listed(status="closed")) == {ids[0]}
    assert set(listed(status="open", service_code="zhandao")) == {ids[1], ids[2]}
    assert listed(start_date="2000-01-01T00:00:00Z", end_date="2000-02-01T00:00:00+08:00") == []
    newest_first = listed()
    assert listed(page_size=2) == newest_first[:2] and listed(page_size=2, page=2) == newest_first[2:]
    assert listed(page=9) == []


# ---------------------------------------------------------------- idempotency

def test_a_retry_with_the_same_token_files_nothing_twice(api, report):
    first = file(api, report, token="retry-me")
    again = file(api, report, token="retry-me", description="改过的描述")
    assert again["service_request_id"] == first["service_request_id"]
    assert Case.objects.filter(channel="open311").count() == 1 and Open311Request.objects.count() == 1
    header = api.post("requests.json", report, HTTP_IDEMPOTENCY_KEY="hdr-1").json()[0]
    assert api.post("requests.json", report, HTTP_IDEMPOTENCY_KEY="hdr-1").json()[0] == header


def test_another_app_may_use_the_same_token(api, report):
    other = Open311Client.objects.create(name="另一个应用")
    key = actions.issue_key(client=other)
    a = file(api, report, token="same")
    b = file(api, report, token="same", api_key=key)
    assert a["service_request_id"] != b["service_request_id"]
    assert {t["service_request_id"] for t in api.get("tokens/same.json").json()} == {a["service_request_id"],
                                                                                      b["service_request_id"]}


# ---------------------------------------------------------------- keys and limits

@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_wrong_and_revoked_keys_are_refused(api, report, app_client, fmt):
    for key in ("", "o311_wrong"):
        assert_error(api.post(f"requests.{fmt}", {**report, "api_key": key}), 403, contains="api_key")
    actions.revoke_client(client=app_client)
    assert_error(api.post(f"requests.{fmt}", report), 403, contains="api_key")
    assert not Case.objects.exists()


def test_a_new_key_replaces_the_old_one(api, report, app_client):
    old = app_client.api_key
    new = actions.issue_key(client=app_client)
    assert_error(api.post("requests.json", {**report, "api_key": old}), 403)
    file(api, report, api_key=new)


def test_each_key_has_its_own_rate_limit(api, report, settings):
    settings.WANGGE_RATE_LIMITS = {"open311_post": (2, 3600)}
    file(api, report, token="a")
    file(api, report, token="b")
    assert_error(api.post("requests.json", {**report, "token": "c"}), 429)
    other = Open311Client.objects.create(name="另一个应用")
    file(api, report, token="c", api_key=actions.issue_key(client=other))
    assert Case.objects.count() == 3


def test_guessing_keys_is_rate_limited_per_address(api, report, settings):
    settings.WANGGE_RATE_LIMITS = {"open311_bad_key": (3, 600), "open311_read": (2, 60)}
    for _ in range(3):
        assert_error(api.post("requests.json", {**report, "api_key": "o311_guess"}), 403)
    refused = api.post("requests.json", {**report, "api_key": "o311_guess"})
    assert_error(refused, 429)
    assert refused.get("Retry-After") == "600"  # RFC 6585: when to come back
    api.get("services.json"), api.get("services.json")
    assert api.get("services.json")["Retry-After"] == "60"


def test_the_update_feed_holds_open311_reports_only_and_masks_the_reporter(api, report, world):
    """A resident who phoned the hotline did not agree to a public feed; and a staff note that
    names the Open311 reporter shows the name masked."""
    from wangge.testing import case_in_state

    created = file(api, report)
    mine = Case.objects.get(number=created["service_request_id"])
    clerk, officer = world.users["clerk"], world.users["chengguan"]
    mine = case_actions.accept_case(case=mine, actor=clerk)
    mine = case_actions.dispatch_case(case=mine, actor=clerk, lead=case_actions.Target(department=world.departments["chengguan"]))
    case_actions.claim_case(case=mine, actor=officer)
    case_actions.add_progress_note(case=Case.objects.get(pk=mine.pk), actor=officer, public=True,
                                   note=f"已联系报告人{mine.reporter_name}，明天上门")
    hotline = case_in_state(world, CaseStatus.IN_PROGRESS, description="热线来电：楼道堆物")
    case_actions.add_progress_note(case=hotline, actor=officer, public=True, note="已联系报告人李四，住东园路5号2单元301")
    feed = api.get("servicerequestupdates.json").json()
    assert {u["service_request_id"] for u in feed} == {mine.number}
    body = api.get("servicerequestupdates.json").content.decode()
    assert mine.reporter_name not in body and "李四" not in body and "东园路5号" not in body
    assert mask_name(mine.reporter_name) in body
    assert_error(api.get(f"requests/{hotline.number}.json"), 404)


# ---------------------------------------------------------------- bad input

BAD_POSTS = [
    ({"service_code": ""}, 400, "service_code"),
    ({"service_code": "no-such"}, 404, "no-such"),
    ({"service_code": "<x>"}, 404, "service_code"),
    ({"lat": "north"}, 400, "lat"),
    ({"lat": "91"}, 400, "lat"),
    ({"long": "nan"}, 400, "long"),
    ({"long": ""}, 400, "long"),
    ({"lat": "", "long": "", "address_string": ""}, 400, "lat"),
    ({"lat": "", "long": "", "address_string": "和平路1号"}, 400, "address_string"),
    ({"lat": "10", "long": "10"}, 400, ""),  # outside every grid
    ({"description": "长" * 4001}, 400, "description"),
    ({"description": "bad\x00byte"}, 400, "description"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ({"media_url": "not a url"}, 400, "media_url"),
    ({"email": "not-an-email"}, 400, "email"),
    ({"phone": "12"}, 400, ""),
    ({"first_name": "名" * 26}, 400, "first_name"),
    ({"device_id": "d" * 101}, 400, "device_id"),
    ({"account_id": "a\x01"}, 400, "account_id"),
    ({"token": "spaces are bad"}, 400, "token"),
    ({"token": "t" * 65}, 400, "token"),
    ({"jurisdiction_id": "elsewhere.gov"}, 404, "jurisdiction_id"),
    ({"attribute[floor]": "3"}, 400, "floor"),
    ({"attribute[": "3"}, 400, "attribute["),
]


@pytest.mark.parametrize("change,status,mentions", BAD_POSTS)
def test_bad_post_parameters_get_a_clear_error_and_write_nothing(api, report, change, status, mentions, settings):
    settings.LANGUAGE_CODE = "en"
    response = api.post("requests.json", {**report, **change}, HTTP_ACCEPT_LANGUAGE="en")
    assert_error(response, status, contains=mentions)
    assert not Case.objects.exists() and not Open311Request.objects.exists()


def test_several_problems_are_listed_together(api, report):
    body = api.post("requests.json", {**report, "lat": "x", "email": "y", "media_url": "z"}).json()
    validate("wangge/errors.json", body)
    assert len(body) == 3


def test_bodies_other_than_forms_are_not_parsed(api, report, client):
    response = client.post("/open311/v2/requests.xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>",
                           content_type="text/xml")
    assert_error(response, 400)
    response = client.post("/open311/v2/requests.json", {"api_key": report["api_key"]}, content_type="application/json")
    assert_error(response, 400)
    assert not Case.objects.exists()


BAD_QUERIES = [
    ("requests.json", {"start_date": "yesterday"}, "start_date"),
    ("requests.json", {"end_date": "2026-13-01"}, "end_date"),
    ("requests.json", {"start_date": "2026-03-01", "end_date": "2026-02-01"}, "start_date"),
    ("requests.json", {"start_date": "2026-01-01", "end_date": "2026-06-01"}, "90"),
    ("requests.json", {"status": "pending"}, "status"),
    ("requests.json", {"service_code": "a b"}, "service_code"),
    ("requests.json", {"service_request_id": "x;drop"}, "service_request_id"),
    ("requests.json", {"page": "0"}, "page"),
    ("requests.json", {"page_size": "1000"}, "page_size"),
    ("requests.json", {"page_size": "-1"}, "page_size"),
    ("requests.json", {"page": "²"}, "page"),
    ("requests.json", {"page_size": "1" * 5000}, "page_size"),
    ("servicerequestupdates.json", {"page": "²"}, "page"),
    ("requests.json", {"jurisdiction_id": "elsewhere.gov"}, "jurisdiction_id"),
    ("servicerequestupdates.json", {"start_date": "x"}, "start_date"),
    ("servicerequestupdates.xml", {"page": "abc"}, "page"),
    ("requests/WG-nope.json", {}, "WG-nope"),
    ("requests/<script>.xml", {}, ""),
    ("tokens/unknown.json", {}, "unknown"),
    ("no/such/thing.json", {}, ""),
]


@pytest.mark.parametrize("path,query,mentions", BAD_QUERIES)
def test_bad_queries_get_a_clear_error(api, services, path, query, mentions):
    response = api.get(path, query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in (400, 404)
    assert_error(response, response.status_code, contains=mentions)


def test_errors_speak_the_requested_language(api, report):
    assert_error(api.post("requests.json", {**report, "api_key": "x"}, HTTP_ACCEPT_LANGUAGE="en"), 403,
                 contains="api_key was not provided or is not valid")
    assert_error(api.post("requests.json", {**report, "api_key": "x"}, HTTP_ACCEPT_LANGUAGE="zh-CN"), 403,
                 contains="无效")


def test_a_wrong_method_is_an_error_list(api, client):
    response = client.delete("/open311/v2/requests.json")
    assert_error(response, 405)


# ---------------------------------------------------------------- address-only reports, attributes

def test_an_address_only_report_goes_to_the_clients_default_community(api, report, app_client, world):
    app_client.default_region = world.communities[1]
    app_client.save()
    created = file(api, report, lat="", long="", address_string="西园路8号")
    case = Case.objects.get(number=created["service_request_id"])
    assert case.community == world.communities[1] and case.address == "西园路8号" and case.grid is None


def test_attributes_are_checked_and_recorded(api, report, services):
    ServiceAttribute.objects.create(category=services["lift"], code="floor", description="几楼？", required=True,
                                    datatype="singlevaluelist", values=[{"key": "1", "name": "一楼"}])
    ServiceAttribute.objects.create(category=services["lift"], code="people", description="困了几人？",
                                    datatype="number")
    lift = {**report, "service_code": "dianti", "media_url": ""}
    assert_error(api.post("requests.json", lift, HTTP_ACCEPT_LANGUAGE="en"), 400, contains="floor")
    assert_error(api.post("requests.json", {**lift, "attribute[floor]": "9"}), 400, contains="floor")
    assert_error(api.post("requests.json", {**lift, "attribute[floor]": "1", "attribute[people]": "two"}), 400)
    assert not Case.objects.exists()
    created = file(api, lift, **{"attribute[floor]": "1", "attribute[people]": "2"})
    received = Open311Request.objects.get(case__number=created["service_request_id"])
    assert received.attributes == {"floor": "1", "people": "2"}
    assert "几楼？：1" in CaseEvent.objects.get(case=received.case, type="open311_received").note


def test_without_description_the_service_name_stands_in(api, report):
    created = file(api, report, description="")
    assert "路边摆摊" in Case.objects.get(number=created["service_request_id"]).description


# ---------------------------------------------------------------- concurrency (PostgreSQL)

@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real parallel transactions")
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_posts_file_one_case(report):
    from django.test import Client

    from wangge.testing import run_in_threads

    from .conftest import Open311Api

    def post(i):
        response = Open311Api(Client()).post("requests.json", {**report, "token": "same-token"})
        return response.status_code, response.json()[0]["service_request_id"]

    results = run_in_threads(6, post)
    assert all(not isinstance(r, Exception) for r in results), results
    assert {status for status, _ in results} == {200}
    assert len({number for _, number in results}) == 1
    assert Case.objects.filter(channel="open311").count() == 1 and Open311Request.objects.count() == 1
