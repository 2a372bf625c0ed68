"""The incremental refresh: what the changed cases count now minus what they counted before.

The reference is a full rebuild from the cases: after any sequence of changes and incremental
refreshes the rollup rows and the stored contributions must be exactly the ones a rebuild makes
(same rows, none left at zero), and every dim must equal a direct count.
"""

import datetime as dt
from collections import Counter

from django.db.models import Sum
from django.utils import timezone

from wangge.audit.maintenance import audit_maintenance
from wangge.cases import actions
from wangge.cases.choices import CaseStatus, Channel, Light, Satisfaction
from wangge.cases.models import Case
from wangge.cases.tasks import run_sweep
from wangge.dashboard import metrics, rollup
from wangge.dashboard.models import (
    KEY_COLUMNS,
    CaseContribution,
    DailyCaseStats,
    DeletedCase,
    StatsState,
)
from wangge.testing import file_case, make_category

from .test_metrics import _assert_rollup_equals_direct_count

ROW = ["dim", "monthly", "day", *[c if c == "channel" else f"{c}_id" for c in KEY_COLUMNS], *metrics.COUNTERS]
CONTRIBUTION = ["case_id", "day", *[c if c == "channel" else f"{c}_id" for c in KEY_COLUMNS], "flags"]


def _rows() -> Counter:
    return Counter(DailyCaseStats.objects.values_list(*ROW))


def _contributions() -> Counter:
    return Counter(CaseContribution.objects.values_list(*CONTRIBUTION))


def _assert_as_rebuilt() -> None:
    """The rows and contributions are those a full rebuild makes, and equal a direct count."""
    _assert_rollup_equals_direct_count()
    rows, contributions = _rows(), _contributions()
    assert not DailyCaseStats.objects.filter(filed=0).exists()
    assert CaseContribution.objects.count() == Case.objects.count()
    rollup.refresh_stats(full=True)
    assert _rows() == rows
    assert _contributions() == contributions


def _refresh_only_newer() -> None:
    """Put the watermark past the look-back, so that the next refresh reads only later changes."""
    StatsState.objects.update(watermark=timezone.now() + rollup.LOOKBACK)


def _touched(case: Case) -> Case:
    """``case`` marked changed after ``_refresh_only_newer`` (as an action would save it)."""
    later = timezone.now() + rollup.LOOKBACK + dt.timedelta(seconds=1)
    Case.objects.filter(pk=case.pk).update(updated_at=later)
    return case


def test_a_full_refresh_stores_one_contribution_per_case(cases):
    result = rollup.refresh_stats()
    assert result.full and result.cases == Case.objects.count() == 9
    _assert_rollup_equals_direct_count()
    c1 = CaseContribution.objects.get(case=cases["c1"])
    counted = {name for i, name in enumerate(metrics.COUNTERS) if c1.flags >> i & 1}
    assert counted == {"filed", "valid", "accepted", "responded", "solved", "on_time", "rated", "satisfied",
                       "st_closed"}
    assert (c1.grid_id, c1.department_id, c1.channel) == (cases["c1"].grid_id, cases["c1"].lead_department_id,
                                                           Channel.HOTLINE)


def test_a_refresh_with_no_changes_does_nothing(cases):
    rollup.refresh_stats()
    rows, contributions = _rows(), _contributions()
    # Every case changed within the look-back: all are read again, and nothing is added.
    again = rollup.refresh_stats()
    assert not again.full and again.cases == 9 and again.days == 0
    assert _rows() == rows and _contributions() == contributions
    _refresh_only_newer()
    nothing = rollup.refresh_stats()
    assert (nothing.full, nothing.cases, nothing.days) == (False, 0, 0)
    assert _rows() == rows and _contributions() == contributions


def test_only_the_changed_cases_are_read(cases, world):
    rollup.refresh_stats()
    _refresh_only_newer()
    _touched(cases["c4"])  # six other cases were filed the same day
    result = rollup.refresh_stats()
    assert (result.cases, result.days) == (1, 0)
    actions.accept_case(case=cases["c4"], actor=world.users["clerk"])
    result = rollup.refresh_stats()
    assert result.cases == 9 and result.days == 1  # the look-back: all of today's, c4 changed
    _assert_as_rebuilt()


def test_cases_moving_through_the_statuses(cases, world):
    rollup.refresh_stats()
    clerk, officer = world.users["clerk"], world.users["chengguan"]
    actions.close_case(case=cases["c2"], actor=clerk)
    c4 = actions.accept_case(case=cases["c4"], actor=clerk)
    rollup.refresh_stats()
    _assert_as_rebuilt()
    c4 = actions.dispatch_case(case=c4, actor=clerk, lead=actions.Target(department=world.departments["chengguan"]))
    c4 = actions.claim_case(case=c4, actor=officer)
    actions.suspend_case(case=c4, actor=officer, reason="等待业主回复")
    actions.resolve_case(case=cases["c3"], actor=officer, result="已处理")
    rollup.refresh_stats()
    _assert_as_rebuilt()
    c3 = actions.rate_case(case=Case.objects.get(pk=cases["c3"].pk), actor=clerk,
                           satisfaction=Satisfaction.UNSATISFIED)  # reopened
    assert c3.status != CaseStatus.RESOLVED
    actions.reject_case(case=file_case(world), actor=clerk, reason="重复来电")
    rollup.refresh_stats()
    _assert_as_rebuilt()


def test_cases_moving_between_departments_categories_and_grids(cases, world):
    rollup.refresh_stats()
    clerk = world.users["clerk"]
    water = make_category("停水", department=world.departments["huanwei"])
    # Sent back by 城管 and dispatched to 环卫: the 承办部门 changes.
    c8 = actions.return_case(case=cases["c8"], actor=world.users["chengguan"], reason="不属于城管职责")
    actions.dispatch_case(case=c8, actor=clerk, lead=actions.Target(department=world.departments["huanwei"]))
    actions.classify_case(case=cases["c6"], actor=clerk, category=water)
    rollup.refresh_stats()
    _assert_as_rebuilt()
    # The territory is frozen at filing, and no action moves it or the filing time; a correction
    # made in the database (with updated_at) is followed all the same: the old rows lose the
    # case, the new ones gain it — across grids, communities, days and months.
    c1 = cases["c1"]
    Case.objects.filter(pk=c1.pk).update(grid=world.grids[3], community=world.grids[3].ancestor_at("community"),
                                         updated_at=timezone.now())
    Case.objects.filter(pk=cases["c7"].pk).update(submitted_at=cases["c7"].submitted_at - dt.timedelta(days=45),
                                                  updated_at=timezone.now())
    Case.objects.filter(pk=cases["c5"].pk).update(channel=Channel.WECHAT, updated_at=timezone.now())
    result = rollup.refresh_stats()
    assert result.days >= 3
    _assert_as_rebuilt()


def test_a_merged_case_counts_as_merged(cases, world):
    rollup.refresh_stats()
    actions.merge_case(case=cases["c4"], into=cases["c3"], actor=world.users["clerk"])
    rollup.refresh_stats()
    assert DailyCaseStats.objects.filter(dim="", monthly=False).aggregate(n=Sum("st_merged"))["n"] == 2
    _assert_as_rebuilt()


def test_a_deleted_case_is_taken_out(cases, world, monkeypatch):
    monkeypatch.setattr(rollup, "CHUNK", 1)  # the deleted ids go in several statements
    rollup.refresh_stats()
    _refresh_only_newer()
    gone = cases["c3"]  # the only case of community 西园社区: its rows go with it
    with audit_maintenance():
        Case.objects.filter(merged_into=gone).delete()
        Case.objects.filter(pk=gone.pk).delete()
    assert set(DeletedCase.objects.values_list("case_id", flat=True)) == {gone.pk, cases["c9"].pk}
    result = rollup.refresh_stats()
    assert result.cases == 2
    assert not DeletedCase.objects.exists()
    assert not DailyCaseStats.objects.filter(community=gone.community_id).exists()
    _assert_as_rebuilt()


def test_a_case_filed_and_deleted_between_refreshes(cases, world):
    rollup.refresh_stats()
    case = file_case(world)
    with audit_maintenance():
        case.delete()
    assert not DeletedCase.objects.exists()  # it had no contribution yet
    rollup.refresh_stats()
    _assert_as_rebuilt()


def test_the_sweep_turning_a_light_red_is_counted_overdue(world, monkeypatch):
    now = timezone.now().replace(microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: now)
    case = file_case(world)  # to be accepted within a minute
    rollup.refresh_stats()
    assert DailyCaseStats.objects.get(dim="", monthly=False).overdue == 0
    now += dt.timedelta(minutes=10)
    run_sweep(now=now)
    case.refresh_from_db()
    assert case.light == Light.RED
    rollup.refresh_stats()
    assert DailyCaseStats.objects.get(dim="", monthly=False).overdue == 1
    _assert_as_rebuilt()


def test_changing_the_counters_rebuilds(cases):
    rollup.refresh_stats()
    StatsState.objects.update(flag_counters="filed,valid")
    assert rollup.refresh_stats().full


def test_rows_that_disagree_with_the_contributions_are_rebuilt(cases, world):
    rollup.refresh_stats()
    # A row changed behind the refresh's back: subtracting c2's old contribution would go below 0.
    DailyCaseStats.objects.filter(dim="", monthly=False).update(st_resolved=0)
    actions.close_case(case=cases["c2"], actor=world.users["clerk"])
    assert rollup.refresh_stats().full
    _assert_as_rebuilt()


def test_month_rows_follow_the_day_rows(spread, world):
    rollup.refresh_stats()
    old = Case.objects.order_by("submitted_at").first()  # filed 100 days ago, in another month
    actions.accept_case(case=old, actor=world.users["clerk"])
    rollup.refresh_stats()
    first = rollup.local_day(old.submitted_at).replace(day=1)
    month = DailyCaseStats.objects.get(dim="", monthly=True, day=first, grid=old.grid_id)
    assert month.accepted == 1
    _assert_as_rebuilt()

