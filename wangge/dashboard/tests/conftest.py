import datetime as dt

import pytest
from django.utils import timezone

from wangge.cases import actions
from wangge.cases.choices import CaseStatus, Satisfaction
from wangge.dashboard import rollup
from wangge.testing import case_in_state, file_case, make_category


@pytest.fixture
def cases(world):
    """Hand-made cases whose figures are known (see test_metrics for the expected counts).

    c1 closed on time, rated 满意 · c2 resolved on time, rated 基本满意 · c3 in progress ·
    c4 submitted, not yet accepted · c5 rejected · c6 accepted late · c7 resolved late ·
    c8 rated 不满意 (reopened) · c9 merged into c3. All in grid A1 except c3 (grid B1).
    """
    clerk = world.users["clerk"]
    category = make_category(department=world.departments["chengguan"])
    c = {}
    c["c1"] = case_in_state(world, CaseStatus.RESOLVED, category=category)
    actions.revisit_case(case=c["c1"], actor=clerk, lawful=True, in_place=True, accepted=True)
    actions.rate_case(case=c["c1"], actor=clerk, satisfaction=Satisfaction.SATISFIED)
    c["c1"] = actions.close_case(case=c["c1"], actor=clerk)
    c["c2"] = case_in_state(world, CaseStatus.RESOLVED, category=category)
    # Revisited (三看) and rated: ready to be closed (结案) by the tests that close it.
    actions.revisit_case(case=c["c2"], actor=clerk, lawful=True, in_place=True, accepted=True)
    actions.rate_case(case=c["c2"], actor=clerk, satisfaction=Satisfaction.BASICALLY)
    c["c3"] = case_in_state(world, CaseStatus.IN_PROGRESS, category=category, grid=world.grids[2])
    c["c4"] = case_in_state(world, CaseStatus.SUBMITTED, category=category)
    c["c5"] = case_in_state(world, CaseStatus.REJECTED, category=category)
    ten_min_ago = timezone.now() - dt.timedelta(minutes=10)
    c["c6"] = actions.accept_case(case=file_case(world, category=category, submitted_at=ten_min_ago), actor=clerk)
    thirty_days_ago = timezone.now() - dt.timedelta(days=30)
    c["c7"] = case_in_state(world, CaseStatus.RESOLVED, category=category, submitted_at=thirty_days_ago)
    c["c8"] = case_in_state(world, CaseStatus.RESOLVED, category=category)
    c["c8"] = actions.rate_case(case=c["c8"], actor=clerk, satisfaction=Satisfaction.UNSATISFIED)
    c["c9"] = actions.merge_case(case=file_case(world, category=category), into=c["c3"], actor=clerk)
    for key, case in c.items():
        case.refresh_from_db()
    assert c["c7"].resolved_on_time is False and c["c1"].resolved_on_time is True
    assert c["c8"].status == CaseStatus.DISPATCHED
    return c


def wide_period() -> dict:
    """GET parameters for a range that holds every hand-made case (c7 is 30 days old)."""
    today = timezone.localdate()
    return {"period": "range", "start": (today - dt.timedelta(days=40)).isoformat(), "end": today.isoformat()}


@pytest.fixture
def spread(cases, world):
    """The hand-made cases plus cases filed 40, 75 and 100 days ago in other grids, categories
    and channels, so that a long period holds whole months and days at both edges."""
    from wangge.cases.choices import Channel

    water = make_category("停水", department=world.departments["huanwei"])
    for days, grid, channel in [(40, 1, Channel.WECHAT), (75, 2, Channel.PATROL), (100, 3, Channel.HOTLINE),
                                (100, 0, Channel.WECHAT)]:
        submitted = timezone.now() - dt.timedelta(days=days)
        file_case(world, grid=world.grids[grid], category=water, channel=channel, submitted_at=submitted)
    rollup.refresh_stats(full=True)
