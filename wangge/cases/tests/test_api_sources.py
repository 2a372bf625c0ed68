"""Whose ids a caller of POST /api/v1/cases/ may file under (``source``).

A retry with the same (source, external id) returns the case already filed. A caller who could
file under the platform's own namespaces — a WeChat account's message ids, an Open311 client's
tokens, the 12345 order numbers, the resident page's keys — could file first under an id that
is still to come, and the real report would then be taken for a retry and dropped."""

from __future__ import annotations

import pytest

from wangge.cases import actions
from wangge.cases.models import Case
from wangge.core.actors import Actor
from wangge.testing import file_case

from .test_api import (  # noqa: F401 (fixture)
    LIST,
    as_user,
    assert_error,
    new_case_payload,
    written_counts,
)


@pytest.mark.parametrize("source", [
    "wechat:wx0123456789abcdef",  # a WeChat official account's messages
    "open311:1",                  # an Open311 client's request tokens
    "12345",                      # 12345 orders (the import's namespace)
    "portal",                     # the resident report page's keys
    "report_join",                # 我也遇到了
    "patrol",                     # a grid worker's findings
    "api:1",                      # another API client's Idempotency-Keys
    "WeChat:wx1",                 # however it is spelt
    " 12345",
])
def test_a_grid_worker_may_not_file_under_the_platforms_own_sources(world, source):
    before = written_counts()
    response = as_user(world.users["worker_a1"]).post(
        LIST, new_case_payload(world, source=source, external_id="ID-1"), format="json")

    error = assert_error(response, 400, "invalid")
    assert error["codes"] == {"source": "reserved"}
    assert "own system" in error["fields"]["source"]
    assert written_counts() == before


def test_the_real_wechat_message_is_filed_after_a_refused_squatter(world):
    """The attack itself: a squatter files first under the message id; the real message must
    still become its own case, not a replay of the squatter's."""
    source, msg_id = "wechat:wx0123456789abcdef", "24098765432101"
    squat = as_user(world.users["worker_a1"]).post(
        LIST, new_case_payload(world, channel="wechat", source=source, external_id=msg_id), format="json")
    assert squat.status_code == 400

    lng, lat = world.point_in(world.grids[0])
    real = actions.create_case(actor=Actor.of_integration(source), channel="wechat", description="楼道灯坏了",
                               longitude=lng, latitude=lat, source=source, external_id=msg_id)

    assert real.replayed is False and real.description == "楼道灯坏了"
    assert Case.objects.filter(source=source, external_id=msg_id).count() == 1


def test_the_refusal_speaks_the_callers_language(world):
    response = as_user(world.users["worker_a1"], "zh-hans").post(
        LIST, new_case_payload(world, source="open311:3", external_id="t-1"), format="json")
    error = assert_error(response, 400, "invalid")
    assert error["fields"]["source"] == error["message"]
    assert "“open311”" in error["message"] and "自己系统的名称" in error["message"]


def test_the_12345_link_files_under_12345(world):
    """The linked 12345 system signs in as someone who may import 12345 orders (an intake clerk
    of the sub-district): the import's namespace, so an order comes in once whichever way."""
    clerk = world.users["clerk"]
    response = as_user(clerk).post(LIST, new_case_payload(world, channel="12345", source="12345",
                                                          external_id="GD20261130-0001"), format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["source"], response.json()["external_id"]) == ("12345", "GD20261130-0001")


@pytest.mark.parametrize("user", ["worker_a1", "chengguan", "secretary_a"])
def test_nobody_else_files_under_12345(world, user):
    """A grid worker, a department officer: no right to import 12345 orders, no right to their
    namespace. (A community secretary is a dispatcher of their community, and may.)"""
    response = as_user(world.users[user]).post(
        LIST, new_case_payload(world, source="12345", external_id="GD20261130-0002"), format="json")
    if user == "secretary_a":
        assert response.status_code == 201, response.content
    else:
        assert response.status_code in (400, 403)
        if response.status_code == 400:
            assert response.json()["error"]["codes"] == {"source": "reserved"}
    assert Case.objects.filter(external_id="GD20261130-0002").count() == (1 if user == "secretary_a" else 0)


def test_a_system_of_its_own_files_under_its_own_name(world):
    response = as_user(world.users["worker_a1"]).post(
        LIST, new_case_payload(world, source="wuye-app", external_id="W-1"), format="json")
    again = as_user(world.users["worker_a1"]).post(
        LIST, new_case_payload(world, source="wuye-app", external_id="W-1"), format="json")
    assert (response.status_code, again.status_code) == (201, 200)
    assert again.json()["number"] == response.json()["number"]


def test_an_external_id_without_a_source_is_kept_under_the_callers_own_name(world):
    """Without a source the id would be kept under the channel's name — here WeChat's — so it
    is the caller's own instead, and a WeChat message with the same id is still filed."""
    worker = world.users["worker_a1"]
    response = as_user(worker).post(LIST, new_case_payload(world, channel="wechat", external_id="MSG-9"),
                                    format="json")
    assert response.status_code == 201, response.content
    assert response.json()["source"] == f"api:{worker.pk}"

    lng, lat = world.point_in(world.grids[0])
    real = actions.create_case(actor=Actor.of_integration("wechat"), channel="wechat", description="真的微信消息",
                               longitude=lng, latitude=lat, external_id="MSG-9")
    assert real.replayed is False and real.source == "wechat"


def test_the_12345_link_without_a_source_still_files_under_12345(world):
    response = as_user(world.users["clerk"]).post(
        LIST, new_case_payload(world, channel="12345", external_id="GD20261130-0003"), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "12345"
    # The import of the same order finds it.
    assert file_case(world, source="12345", external_id="GD20261130-0003").number == response.json()["number"]


def test_the_schema_says_which_sources_are_refused(client, world):
    client.force_login(world.users["clerk"])
    schema = client.get("/api/schema/?format=json").json()
    source = schema["components"]["schemas"]["CaseCreateRequest"]["properties"]["source"]
    assert "reserved" in source["description"] and "12345" in source["description"]
