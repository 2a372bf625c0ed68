"""A field the endpoint does not take is refused, not dropped (``core.api.StrictInputMixin``): an
integrator who misspells ``category`` as ``categroy`` hears of it at once, instead of a case filed
without a category. A field the platform sets itself (a case's number, a topic's status) is
refused as well: the caller who sent it believed it took effect."""

from __future__ import annotations

import pytest

from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case, CaseEvent
from wangge.cases.tests.test_api import LIST, as_user, assert_error, new_case_payload
from wangge.diary.models import DiaryNote
from wangge.meetings.models import Topic
from wangge.testing import case_in_state, make_category, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def category(world):
    return make_category("占道经营", code="road-stall", department=world.departments["chengguan"])


def test_a_misspelt_field_on_case_creation_is_refused_by_name_and_files_nothing(world, category):
    before = Case.objects.count()
    response = as_user(world.users["clerk"], "zh-hans").post(
        LIST, new_case_payload(world, categroy=category.code), format="json")
    error = assert_error(response, 400, "invalid")
    assert error["fields"] == {"categroy": "未知字段：categroy。"}
    assert error["codes"] == {"categroy": "unknown_field"}
    assert error["message"] == "未知字段：categroy。"
    assert Case.objects.count() == before


def test_in_english_too_and_every_unknown_field_at_once(world):
    payload = new_case_payload(world)
    payload["reporter_phon"] = payload.pop("reporter_phone")
    response = as_user(world.users["clerk"], "en").post(LIST, {**payload, "urgent": True}, format="json")
    error = assert_error(response, 400, "invalid")
    assert error["fields"] == {"reporter_phon": "Unknown field: reporter_phon.", "urgent": "Unknown field: urgent."}
    assert error["codes"] == {"reporter_phon": "unknown_field", "urgent": "unknown_field"}


def test_the_case_number_and_status_are_not_taken_on_creation(world):
    before = Case.objects.count()
    response = as_user(world.users["clerk"], "en").post(
        LIST, new_case_payload(world, number="20261130-00001", status="closed"), format="json")
    error = assert_error(response, 400, "invalid")
    assert error["codes"] == {"number": "unknown_field", "status": "unknown_field"}
    assert Case.objects.count() == before


def test_an_unknown_field_sits_beside_the_other_errors(world):
    """A misspelt required field: the field is missing and the misspelling is named, in one answer."""
    case = case_in_state(world, CaseStatus.SUBMITTED)
    response = as_user(world.users["clerk"], "en").post(f"/api/v1/cases/{case.number}/reject/",
                                                        {"reasn": "重复"}, format="json")
    assert assert_error(response, 400, "invalid")["codes"] == {"reason": "required", "reasn": "unknown_field"}


def test_a_well_formed_case_is_still_filed(world, category):
    response = as_user(world.users["clerk"], "en").post(
        LIST, new_case_payload(world, category=category.code), format="json")
    assert response.status_code == 201, response.content
    assert Case.objects.get(number=response.json()["number"]).category == category


def test_a_form_post_with_its_attachments_and_csrf_token_is_still_filed(world):
    """A multipart post repeats ``attachments`` and, from a signed-in browser, carries its CSRF token."""
    response = as_user(world.users["clerk"], "en").post(
        LIST, new_case_payload(world, attachments=[png("a.png"), png("b.png")], csrfmiddlewaretoken="x"),
        format="multipart")
    assert response.status_code == 201, response.content
    assert Case.objects.get(number=response.json()["number"]).attachments.count() == 2


def test_a_misspelt_field_in_a_form_post_is_refused(world):
    before = Case.objects.count()
    response = as_user(world.users["clerk"], "en").post(
        LIST, new_case_payload(world, adress="和平路1号"), format="multipart")
    assert assert_error(response, 400, "invalid")["codes"] == {"adress": "unknown_field"}
    assert Case.objects.count() == before


def test_a_misspelt_field_inside_a_nested_object_is_named_with_its_path(world):
    case = case_in_state(world, CaseStatus.ACCEPTED)
    events = CaseEvent.objects.filter(case=case).count()
    response = as_user(world.users["clerk"], "en").post(
        f"/api/v1/cases/{case.number}/dispatch/",
        {"lead": {"departmnet": world.departments["chengguan"].pk}}, format="json")
    error = assert_error(response, 400, "invalid")
    assert error["codes"]["lead.departmnet"] == "unknown_field"
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and CaseEvent.objects.filter(case=case).count() == events


def test_an_action_with_a_misspelt_note_changes_nothing(world):
    case = case_in_state(world, CaseStatus.SUBMITTED)
    response = as_user(world.users["clerk"], "en").post(f"/api/v1/cases/{case.number}/reject/",
                                                        {"reason": "重复", "notee": "x"}, format="json")
    assert assert_error(response, 400, "invalid")["codes"] == {"notee": "unknown_field"}
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_another_apps_write_endpoint_refuses_an_unknown_field(world):
    worker = world.users["worker_a1"]
    response = as_user(worker, "zh-hans").post("/api/v1/diary/notes/",
                                               {"day": "2026-11-30", "txt": "入户走访3户"}, format="json")
    error = assert_error(response, 400, "invalid")
    assert error["fields"]["txt"] == "未知字段：txt。" and error["codes"]["txt"] == "unknown_field"
    assert not DiaryNote.objects.exists()


def test_a_field_the_platform_sets_is_refused_as_read_only(world):
    """A topic's status is decided by vetting (审核): a caller sending one is told so, not ignored."""
    response = as_user(world.users["clerk"], "en").post(
        "/api/v1/meetings/topics/", {"region": world.grids[0].pk, "title": "停车难", "status": "accepted"},
        format="json")
    error = assert_error(response, 400, "invalid")
    assert error["codes"] == {"status": "read_only"}
    assert error["fields"] == {"status": "status is set by the platform and cannot be given."}
    assert not Topic.objects.exists()


def test_a_query_string_keeps_its_list_parameters(world):
    """Query strings carry the list's own parameters (page, format): not refused as unknown."""
    response = as_user(world.users["clerk"], "en").get("/api/v1/cases/changes/", {"page_size": 10, "format": "json"})
    assert response.status_code == 200, response.content


def test_the_schema_says_a_request_takes_only_its_fields(client, world):
    client.force_login(world.users["clerk"])
    schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    for name in ("CaseCreateRequest", "DispatchRequest", "TargetRequest", "DiaryNoteCreateRequest"):
        assert schemas[name]["additionalProperties"] is False, name
    assert "status" not in schemas["MeetingTopicRequest"]["properties"]
    assert "additionalProperties" not in schemas["CaseDetail"]  # answers are not closed
