"""What a system linked to the platform (a 12345 hotline, a third-party app) meets when it files
through /api/v1/cases/ under its own ids: a retry names a case by (source, external id), which
must never show a case the caller may not see."""

from __future__ import annotations

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
    """A grid worker of grid 2 names a 12345 order filed in grid 0: no copy of that case, and not
    a second case either (the order is somebody else's)."""
    theirs = file_case(world, grid=world.grids[0], source="12345", external_id="GD20261130-0042",
                       title="他人工单", description="和平路1号门口井盖丢失，联系人13812341234")
    worker = world.users["worker_b1"]
    assert as_user(worker).get(f"/api/v1/cases/{theirs.number}/").status_code == 404
    before = written_counts()

    response = as_user(worker).post(LIST, new_case_payload(world, source="12345", external_id="GD20261130-0042",
                                                           longitude=None, latitude=None,
                                                           region=world.grids[2].pk), format="json")

    error = assert_error(response, 409, "external_id_taken")
    assert error["codes"] == {"external_id": "taken"}
    body = response.content.decode()
    assert theirs.number not in body and "井盖" not in body and "Location" not in response
    assert written_counts() == before


def test_the_refusal_speaks_chinese(world):
    file_case(world, grid=world.grids[0], source="12345", external_id="GD1")
    response = as_user(world.users["worker_b1"], "zh-hans").post(
        LIST, new_case_payload(world, source="12345", external_id="GD1"), format="json")
    assert "外部编号" in assert_error(response, 409, "external_id_taken")["message"]


def test_a_replay_of_a_case_the_caller_may_see_still_answers_it(world):
    """The 12345 link's own retry (the first answer was lost): the same case, 200."""
    clerk = world.users["clerk"]
    first = as_user(clerk).post(LIST, new_case_payload(world, source="12345", external_id="GD2"), format="json")
    again = as_user(clerk).post(LIST, new_case_payload(world, source="12345", external_id="GD2"), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true" and again.json()["number"] == first.json()["number"]
    assert Case.objects.filter(source="12345", external_id="GD2").count() == 1
