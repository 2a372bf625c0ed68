"""What every write endpoint of /api/v1/ says about ids and text it cannot take (``core.api``'s
``StrictInputMixin``): an unknown id in plain words of the user's language, not DRF's
'Invalid pk "99999" - object does not exist.'; a JSON number where text belongs is a 400, not
silently the text "123"."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import spectacular_settings

from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case, CaseEvent
from wangge.cases.tests.test_api import LIST, as_user, assert_error, new_case_payload
from wangge.core.api import StrictInputMixin
from wangge.meetings.api.serializers import MeetingDecisionSerializer
from wangge.testing import case_in_state

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Ids
# ---------------------------------------------------------------------------------------------


def test_an_unknown_place_says_so_in_chinese(world):
    before = Case.objects.count()
    response = as_user(world.users["clerk"], "zh-hans").post(
        LIST, new_case_payload(world, longitude=None, latitude=None, region=99999), format="json")

    error = assert_error(response, 400, "invalid")
    assert error["fields"] == {"region": "没有这个辖区（编号 99999）。"}
    assert error["codes"] == {"region": "does_not_exist"}
    assert error["message"] == "没有这个辖区（编号 99999）。"
    assert "pk" not in response.content.decode() and "主键" not in response.content.decode()
    assert Case.objects.count() == before


def test_an_unknown_place_says_so_in_english(world):
    response = as_user(world.users["clerk"], "en").post(
        LIST, new_case_payload(world, longitude=None, latitude=None, region=99999), format="json")
    assert assert_error(response, 400)["fields"]["region"] == "There is no region with the id 99999."


@pytest.mark.parametrize("value", [1.5, True, "abc", "1e3", [1], {"id": 1}, "²"])
def test_an_id_that_is_not_a_whole_number_is_refused_not_rounded(world, value):
    """1.5 is not region 1 (DRF would look it up as 1), nor is true."""
    before = Case.objects.count()
    response = as_user(world.users["clerk"], "zh-hans").post(
        LIST, new_case_payload(world, longitude=None, latitude=None, region=value), format="json")
    error = assert_error(response, 400)
    assert error["codes"] == {"region": "incorrect_type"}
    assert error["fields"]["region"] == "辖区请用编号（整数）给出。"
    assert Case.objects.count() == before


@pytest.mark.parametrize("value", [0, -3, 2**63, 10**30, "99999999999999999999"])
def test_an_id_out_of_any_range_is_no_row_not_a_crash(world, value):
    response = as_user(world.users["clerk"]).post(
        LIST, new_case_payload(world, longitude=None, latitude=None, region=value), format="json")
    error = assert_error(response, 400)
    assert error["codes"]["region"] in ("does_not_exist", "incorrect_type")


def test_a_known_id_as_text_still_works(world):
    response = as_user(world.users["clerk"]).post(
        LIST, new_case_payload(world, longitude=None, latitude=None, region=str(world.grids[0].pk)), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["grid"]["id"] == world.grids[0].pk


def test_an_unknown_department_in_a_nested_dispatch_names_the_field(world):
    case = case_in_state(world, CaseStatus.ACCEPTED)
    response = as_user(world.users["clerk"], "zh-hans").post(
        f"/api/v1/cases/{case.number}/dispatch/",
        {"lead": {"department": 99999}, "co_handlers": [{"user": 88888}]}, format="json")
    error = assert_error(response, 400)
    assert error["fields"]["lead.department"] == "没有这个部门（编号 99999）。"
    assert error["fields"]["co_handlers.0.user"] == "没有这个工作人员（编号 88888）。"
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_a_list_of_ids_names_the_one_missing(world):
    """Another app's ``many=True`` id list (a consultation's co-departments)."""
    department = world.departments["chengguan"]
    serializer = MeetingDecisionSerializer(data={"decision": "agreed", "co_departments": [department.pk, 99999]})
    assert not serializer.is_valid()
    assert [str(m) for m in serializer.errors["co_departments"]] == ["没有这个部门（编号 99999）。"]


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


def test_a_number_for_a_reason_is_refused(world):
    case = case_in_state(world, CaseStatus.SUBMITTED)
    events = CaseEvent.objects.count()
    response = as_user(world.users["clerk"], "zh-hans").post(f"/api/v1/cases/{case.number}/reject/",
                                                             {"reason": 123}, format="json")
    error = assert_error(response, 400, "invalid")
    assert error["codes"] == {"reason": "not_text"}
    assert error["fields"]["reason"] == "reason 应为文本（加引号），不能是数字或其他 JSON 值。"
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and CaseEvent.objects.count() == events


@pytest.mark.parametrize("value", [5, 5.0, True, ["楼道"], {"text": "楼道"}])
def test_a_description_that_is_not_text_files_nothing(world, value):
    before = Case.objects.count()
    response = as_user(world.users["clerk"]).post(LIST, new_case_payload(world, description=value), format="json")
    error = assert_error(response, 400, "invalid")
    assert error["codes"] == {"description": "not_text"}
    assert Case.objects.count() == before


def test_every_bad_field_is_named_at_once(world):
    """A number for the title and an unknown place: both in one answer."""
    response = as_user(world.users["clerk"]).post(
        LIST, new_case_payload(world, title=123, longitude=None, latitude=None, region=99999), format="json")
    assert assert_error(response, 400)["codes"] == {"title": "not_text", "region": "does_not_exist"}


def test_text_from_a_form_is_text(world):
    """Multipart and form bodies carry everything as text: a form's "123" is a title."""
    response = as_user(world.users["clerk"]).post(LIST, new_case_payload(world, title="123"), format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "123"


def test_another_apps_text_field_refuses_a_number_too(world):
    response = as_user(world.users["worker_a1"]).post("/api/v1/diary/notes/",
                                                      {"day": "2026-11-30", "text": 42}, format="json")
    assert assert_error(response, 400)["codes"] == {"text": "not_text"}


def test_the_schema_still_says_text_is_a_string(client, world):
    client.force_login(world.users["clerk"])
    schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    assert schemas["ReasonRequest"]["properties"]["reason"]["type"] == "string"
    assert schemas["CaseCreateRequest"]["properties"]["description"]["type"] == "string"
    assert schemas["CaseCreateRequest"]["properties"]["region"]["type"] == "integer"


# ---------------------------------------------------------------------------------------------
# Every write endpoint, present and future
# ---------------------------------------------------------------------------------------------


def _request_serializers():
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    for path, _regex, method, view in generator._get_paths_and_endpoints():
        if method not in ("POST", "PUT", "PATCH") or not path.startswith("/api/v1/"):
            continue
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
        view.schema.path, view.schema.method, view.schema.view = path, method, view
        request = view.schema.get_request_serializer()
        for serializer in (request.values() if isinstance(request, dict) else [request]):
            if serializer is not None:
                yield f"{method} {path}", serializer


def test_every_write_endpoint_reads_its_input_through_the_strict_base():
    """A new input serializer that forgets ``core.api.InputSerializer`` would take numbers as
    text and answer DRF's jargon for an unknown id again."""
    found = list(_request_serializers())
    assert len(found) > 40
    lax = sorted({f"{where}: {getattr(s, '__name__', type(s).__name__)}" for where, s in found
                  if not issubclass(s if isinstance(s, type) else type(s), StrictInputMixin)})
    assert lax == []
