"""Finding possible duplicates: text similarity, distance, time window, category family, rules,
what is stored when a case is filed on any channel, and what the hotline clerk sees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from wangge.cases import actions
from wangge.cases.choices import CaseStatus, Channel
from wangge.cases.models import Case
from wangge.core.actors import Actor
from wangge.intake.duplicates import selectors
from wangge.intake.duplicates.choices import CandidateStatus
from wangge.intake.duplicates.models import DuplicateCandidate, DuplicateRule
from wangge.intake.duplicates.text import bigrams, similarity

pytestmark = pytest.mark.django_db


def found(case: Case, **kwargs) -> dict[str, dict]:
    """number → reasons of what the finder offers for an already filed ``case``."""
    return {m.case.number: m.reasons for m in selectors.matches_for_case(case, threshold=0, **kwargs)}


# --- text ------------------------------------------------------------------------------------


def test_the_same_problem_in_other_words_is_more_alike_than_another_problem():
    a = "和平路3号楼门口的路灯坏了一个星期，晚上漆黑一片"
    same = "3号楼门口路灯不亮好几天了，晚上很黑"
    other = "小区垃圾桶满了没人清运，臭味很大"
    assert similarity(a, same) > 0.3 > similarity(a, other)
    assert similarity(a, a) == 1.0
    # Full-width letters and digits are the same as half-width; punctuation is ignored.
    assert similarity("３号楼ＡＢ路灯", "3号楼ab路灯！！") == 1.0
    assert similarity("", a) == 0.0 and similarity("，。！", a) == 0.0
    assert "路灯" in bigrams(a) and "希望" not in bigrams("希望尽快处理")  # polite frames carry nothing


# --- where, when, what -----------------------------------------------------------------------


def test_candidates_are_near_recent_and_of_the_same_family(world, tree, report):
    earlier = report(tree["light"], submitted_at=timezone.now() - dt.timedelta(days=2))
    related = report(tree["manhole"], north_m=60, description="3号楼门口井盖松动")
    far = report(tree["light"], north_m=400)  # beyond 250 m
    other_branch = report(tree["rubbish"], east_m=20)
    old = report(tree["light"], east_m=30, submitted_at=timezone.now() - dt.timedelta(days=45))
    new = report(tree["light"], north_m=100, description="3号楼门口路灯不亮好几天了，晚上很黑")

    got = found(new)
    assert set(got) == {earlier.number, related.number}
    assert got[earlier.number]["category"] == "same" and got[related.number]["category"] == "related"
    assert 95 <= got[earlier.number]["distance_m"] <= 105
    assert got[earlier.number]["text"] > 0.3
    assert far.number not in got and other_branch.number not in got and old.number not in got
    # The closer, same-category, same-words one ranks first.
    best = selectors.matches_for_case(new, threshold=0)[0]
    assert best.case == earlier and best.score > selectors.store_threshold()


def test_recently_closed_cases_count_rejected_and_merged_ones_do_not(world, tree, report, place):
    from wangge.testing.factories import case_in_state

    lng, lat = place()
    closed = case_in_state(world, CaseStatus.CLOSED, category=tree["light"], longitude=lng, latitude=lat)
    rejected = case_in_state(world, CaseStatus.REJECTED, category=tree["light"], longitude=lng, latitude=lat)
    new = report(tree["light"])
    assert closed.number in found(new) and rejected.number not in found(new)
    # Seen from 10 days later, a case closed 10 days ago is past the 7 recently-closed days.
    later = selectors.find_matches(text=new.description, category_id=tree["light"].pk, longitude=lng, latitude=lat,
                                   now=timezone.now() + dt.timedelta(days=10), threshold=0)
    assert closed not in [m.case for m in later] and new in [m.case for m in later]


def test_a_rule_per_category_sets_distance_and_window_and_children_inherit_it(world, tree, report):
    earlier = report(tree["light"], submitted_at=timezone.now() - dt.timedelta(days=5))
    new = report(tree["light"], north_m=120)
    assert earlier.number in found(new)
    DuplicateRule.objects.create(category=tree["roads"], radius_m=100)  # the parent's rule
    assert earlier.number not in found(new)
    DuplicateRule.objects.create(category=tree["light"], radius_m=500, window_days=3)  # its own wins
    assert earlier.number not in found(new)  # 5 days > 3
    DuplicateRule.objects.filter(category=tree["light"]).update(window_days=10)
    DuplicateRule.objects.get(category=tree["light"]).save()  # (a save drops the process's rule table)
    assert earlier.number in found(new)
    DuplicateRule.objects.filter(category=tree["light"]).update(enabled=False)
    DuplicateRule.objects.get(category=tree["light"]).save()
    assert found(new) == {}


def test_a_case_without_a_point_is_compared_within_its_grid(world, tree, report):
    earlier = report(tree["light"])
    with_grid_only = actions.create_case(actor=world.users["clerk"], channel=Channel.HOTLINE, category=tree["light"],
                                         description="3号楼门口的路灯不亮", region=world.grids[0])
    assert with_grid_only.latitude is None
    got = found(with_grid_only)
    assert earlier.number in got and "distance_m" not in got[earlier.number]


# --- stored when filed, on every channel -----------------------------------------------------


def test_filing_on_any_channel_stores_the_candidates(world, tree, report, place):
    from wangge.intake.duplicates.actions import find_in_new_cases

    earlier = report(tree["light"])  # and the worker's look, which finds nothing yet
    assert find_in_new_cases() == 0
    assert not DuplicateCandidate.objects.exists()  # nothing to compare the first one with
    lng, lat = place(north_m=30)
    resident_case = actions.create_case(actor=Actor.of_resident(), channel=Channel.WEB, category=tree["light"],
                                        description="3号楼门口路灯坏了，晚上一片漆黑", longitude=lng, latitude=lat)
    # The worker's next look (every few seconds) reads only the new case.
    assert find_in_new_cases() == 1 and find_in_new_cases() == 0
    row = DuplicateCandidate.objects.get()
    assert (row.case, row.candidate, row.status) == (resident_case, earlier, CandidateStatus.OPEN)
    assert row.reasons["category"] == "same" and row.reasons["distance_m"] < 40 and row.score >= 0.5
    # A different problem far away stores nothing; looking again adds nothing twice.
    report(tree["rubbish"], north_m=300, description="垃圾桶满了")
    from wangge.intake.duplicates.actions import record_candidates

    record_candidates(case=resident_case)
    assert DuplicateCandidate.objects.count() == 1


# --- the hotline clerk, before saving ---------------------------------------------------------


def test_hotline_shows_scored_candidates_in_the_clerks_scope(client, world, tree, report, place):
    earlier = report(tree["light"])
    lng, lat = place(north_m=50)
    client.force_login(world.users["clerk"])
    page = client.get("/cases/new/similar/", {"category": tree["light"].pk, "longitude": lng, "latitude": lat,
                                               "description": "路灯坏了，晚上很黑"}).content.decode()
    assert earlier.number in page and "米" in page and "同类" in page
    # A grid worker of another grid may not see it: not offered.
    client.force_login(world.users["worker_b1"])
    page = client.get("/cases/new/similar/", {"category": tree["light"].pk, "longitude": lng,
                                               "latitude": lat}).content.decode()
    assert earlier.number not in page


@pytest.mark.parametrize("query", [
    {"grid": "x", "category": "", "longitude": "abc"},
    {"longitude": "nan", "latitude": "nan"},
    {"longitude": "1e400", "latitude": "-1e400", "category": "999999"},
    {"longitude": "200", "latitude": "95", "description": "路灯" * 5000},
    {"grid": "99999999", "category": "-1"},
])
def test_bad_hotline_input_is_answered_not_a_500(client, world, tree, query):
    client.force_login(world.users["clerk"])
    response = client.get("/cases/new/similar/", query)
    assert response.status_code == 200


def test_the_finder_takes_bad_values_quietly(world, tree):
    for lng, lat in [(None, None), ("x", "y"), (float("inf"), 1.0), (float("nan"), 39.9), (500, 500)]:
        assert selectors.find_matches(text="路灯", category_id=tree["light"].pk, longitude=lng, latitude=lat) == []
    assert selectors.find_matches(text=None, category_id="1; DROP", grid_id="x") == []


# --- the index -------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="index plans are PostgreSQL's")
def test_the_candidate_query_reads_the_grid_and_time_index_on_postgresql(world, tree, place):
    """With sequential scans priced out, candidates come from the indexes on (grid, submitted_at)
    or (category, submitted_at) — the cost follows the cases near the point in the window, not
    the whole table. (At a million cases the planner ANDs the grid and category indexes: 3 ms.)"""
    lng, lat = place()
    qs = selectors.candidate_queryset(category_id=tree["light"].pk, point=(lng, lat), grid_id=None,
                                      now=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs.only("pk").explain()
    # Whichever index the statistics of the moment favour, it is one bounded by the place or the
    # time window — never a walk of the whole table.
    assert any(name in plan for name in ("cases_case_grid_id", "cases_case_categor", "cases_case_submitted_at")), plan
    assert "Seq Scan" not in plan, plan
    assert "Seq Scan on cases_case" not in plan, plan
