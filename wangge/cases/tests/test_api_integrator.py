"""What a system linked to the platform (a 12345 hotline, a third-party app) meets when it files
through /api/v1/cases/ under its own ids: a retry names a case by (source, external id), which
must never show a case the caller may not see; and a 12345 order brings its own deadline
(办理时限), which the case never passes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wangge.cases.models import Case
from wangge.testing import file_case

from .test_api import (  # noqa: F401 (fixture)
    LIST,
    as_user,
    assert_error,
    new_case_payload,
    written_counts,
)


def test_a_replay_of_a_case_outside_the_callers_scope_is_409_and_shows_nothing(world):
    """A grid worker of grid 2 names a report a property company's app filed in grid 0: no copy
    of that case, and not a second case either (the report is somebody else's). (Under 12345 the
    worker is refused before that: test_api_sources.)"""
    theirs = file_case(world, grid=world.grids[0], source="wuye-app", external_id="GD20261130-0042",
                       title="他人工单", description="和平路1号门口井盖丢失，联系人13812341234")
    worker = world.users["worker_b1"]
    assert as_user(worker).get(f"/api/v1/cases/{theirs.number}/").status_code == 404
    before = written_counts()

    response = as_user(worker).post(LIST, new_case_payload(world, source="wuye-app", external_id="GD20261130-0042",
                                                           longitude=None, latitude=None,
                                                           region=world.grids[2].pk), format="json")

    error = assert_error(response, 409, "external_id_taken")
    assert error["codes"] == {"external_id": "taken"}
    body = response.content.decode()
    assert theirs.number not in body and "井盖" not in body and "Location" not in response
    assert written_counts() == before


def test_the_refusal_speaks_chinese(world):
    file_case(world, grid=world.grids[0], source="wuye-app", external_id="GD1")
    response = as_user(world.users["worker_b1"], "zh-hans").post(
        LIST, new_case_payload(world, source="wuye-app", external_id="GD1"), format="json")
    assert "外部编号" in assert_error(response, 409, "external_id_taken")["message"]


def test_a_replay_of_a_case_the_caller_may_see_still_answers_it(world):
    """The 12345 link's own retry (the first answer was lost): the same case, 200."""
    clerk = world.users["clerk"]
    first = as_user(clerk).post(LIST, new_case_payload(world, source="12345", external_id="GD2"), format="json")
    again = as_user(clerk).post(LIST, new_case_payload(world, source="12345", external_id="GD2"), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true" and again.json()["number"] == first.json()["number"]
    assert Case.objects.filter(source="12345", external_id="GD2").count() == 1


# ---------------------------------------------------------------------------------------------
# A 12345 order's 办理时限 (来源时限) comes with the order, as in the spreadsheet import
# ---------------------------------------------------------------------------------------------


def _iso(moment) -> str:
    return timezone.localtime(moment).isoformat()


def test_a_12345_order_filed_with_its_deadline_is_never_due_later(world):
    clerk = world.users["clerk"]
    plain = as_user(clerk).post(LIST, new_case_payload(world), format="json").json()
    policy_due = dt.datetime.fromisoformat(plain["resolve_due_at"])
    hotline_due = (policy_due - dt.timedelta(hours=3)).replace(microsecond=0)

    response = as_user(clerk).post(LIST, new_case_payload(world, channel="12345", source="12345",
                                                          external_id="GD20261130-0099",
                                                          source_due_at=_iso(hotline_due)), format="json")

    assert response.status_code == 201, response.content
    answer = response.json()
    assert dt.datetime.fromisoformat(answer["resolve_due_at"]) == hotline_due
    assert dt.datetime.fromisoformat(answer["source_due_at"]) == hotline_due
    assert (answer["source"], answer["external_id"]) == ("12345", "GD20261130-0099")
    assert Case.objects.get(number=answer["number"]).source_due_at == hotline_due


def test_an_order_already_late_starts_red(world):
    response = as_user(world.users["clerk"]).post(
        LIST, new_case_payload(world, source="12345", external_id="GD-late",
                               source_due_at=_iso(timezone.now() - dt.timedelta(hours=1))), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["light"] == "red"


@pytest.mark.parametrize("value, code", [
    ("2026-12-01T18:00:00", "no_time_zone"),
    ("tomorrow", "invalid"),
    ("1900-01-01T00:00:00+08:00", "out_of_range"),
])
def test_a_deadline_that_is_no_time_is_400_and_files_nothing(world, value, code):
    before = written_counts()
    response = as_user(world.users["clerk"]).post(
        LIST, new_case_payload(world, source="12345", external_id="GD-bad", source_due_at=value), format="json")
    error = assert_error(response, 400, "invalid")
    assert error["codes"] == {"source_due_at": code}
    assert written_counts() == before


def test_the_same_idempotency_key_with_another_deadline_is_another_report(world):
    clerk = world.users["clerk"]
    due = timezone.now() + dt.timedelta(hours=5)
    first = as_user(clerk).post(LIST, new_case_payload(world, source_due_at=_iso(due)), format="json",
                                HTTP_IDEMPOTENCY_KEY="k-due")
    assert first.status_code == 201
    again = as_user(clerk).post(LIST, new_case_payload(world, source_due_at=_iso(due)), format="json",
                                HTTP_IDEMPOTENCY_KEY="k-due")
    assert again.status_code == 200
    other = as_user(clerk).post(LIST, new_case_payload(world, source_due_at=_iso(due + dt.timedelta(hours=1))),
                                format="json", HTTP_IDEMPOTENCY_KEY="k-due")
    assert_error(other, 422, "idempotency_key_reused")


def test_a_nul_character_in_a_search_is_named_in_chinese(world):
    """Django's own Chinese for it says "no empty string" (不允许是用空字符串): wrong, and misspelt."""
    response = as_user(world.users["clerk"], "zh-hans").get(LIST, {"q": "井盖\x00"})
    error = assert_error(response, 400, "invalid")
    assert error["message"] == "不能包含空字符（NUL）。" and error["codes"] == {"q": "null_characters_not_allowed"}


@pytest.mark.parametrize("ordering", ["resolve_due_at", "-resolve_due_at", "submitted_at"])
def test_paging_a_sorted_list_skips_and_repeats_no_case_that_ties(world, ordering):
    """Many cases share a deadline (the end of the same working day): sorted by it alone, the
    database may order the ties differently for each page (PostgreSQL's top-N sort does), and a
    linked system paging through the list met some cases twice and others never."""
    filed = {file_case(world).number for _ in range(40)}
    Case.objects.update(resolve_due_at=timezone.now() + dt.timedelta(days=3), submitted_at=timezone.now())
    seen = []
    for page in range(1, 9):
        body = as_user(world.users["clerk"]).get(LIST, {"ordering": ordering, "page_size": 6, "page": page}).json()
        seen += [row["number"] for row in body["results"]]
        if not body["next"]:
            break
    assert sorted(seen) == sorted(filed)
