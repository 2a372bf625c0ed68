"""The rate formulas on hand-made cases, and the rollups against a direct count."""

import datetime as dt
from fractions import Fraction

import pytest
from django.db.models import Sum
from django.utils import timezone

from wangge.cases import actions
from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case
from wangge.dashboard import metrics, rollup, selectors
from wangge.dashboard.models import DIMS, DailyCaseStats
from wangge.testing import case_in_state

from .conftest import wide_period

EXPECTED = {"valid": 7, "accepted": 6, "responded": 4, "solved": 3, "on_time": 2, "rated": 3, "satisfied": 2,
            "filed": 9, "st_rejected": 1, "st_merged": 1}
EXPECTED_RATES = {"response": Fraction(4, 7), "resolution": Fraction(3, 6), "satisfaction": Fraction(2, 3),
                  "on_time": Fraction(2, 3)}


def test_counters_follow_the_documented_definitions(cases):
    counts = metrics.direct_counts(Case.objects.all())
    assert {k: counts[k] for k in EXPECTED} == EXPECTED
    rates = metrics.rates(counts)
    assert {k: Fraction(v).limit_denominator(100) for k, v in rates.items()} == EXPECTED_RATES


def test_no_denominator_gives_no_rate_not_zero():
    assert metrics.rates({}) == {k: None for k in metrics.RATE_KEYS}
    assert metrics.pct(None) == "—"
    assert metrics.pct(2 / 3) == "66.7%"


def _rollup_totals(dim: str, *, monthly: bool = False) -> dict:
    rows = DailyCaseStats.objects.filter(dim=dim, monthly=monthly)
    return rows.aggregate(**{k: Sum(k) for k in metrics.COUNTERS})


def _assert_rollup_equals_direct_count() -> None:
    direct = metrics.direct_counts(Case.objects.all())
    for dim in DIMS:
        assert _rollup_totals(dim) == direct, dim
        assert _rollup_totals(dim, monthly=True) == direct, (dim, "monthly")


def test_every_dim_of_the_rollup_equals_a_direct_count(cases):
    rollup.refresh_stats()
    _assert_rollup_equals_direct_count()


def test_incremental_refresh_follows_later_actions(cases, world):
    rollup.refresh_stats()
    actions.close_case(case=cases["c2"], actor=world.users["clerk"])
    actions.accept_case(case=cases["c4"], actor=world.users["clerk"])
    result = rollup.refresh_stats()
    assert not result.full and result.days >= 1
    assert metrics.direct_counts(Case.objects.all())["st_closed"] == 2
    _assert_rollup_equals_direct_count()


def test_dashboard_shows_the_hand_made_rates(cases, world, client):
    client.force_login(world.users["leader"])
    response = client.get("/dashboard/", wide_period())
    assert response.status_code == 200
    rates = {r["def"].key: r for r in response.context["rates"]}
    for key, expected in EXPECTED_RATES.items():
        assert Fraction(rates[key]["numerator"], rates[key]["denominator"]) == expected
    # Each rate carries its formula on hover.
    html = response.content.decode()
    for rate in metrics.RATES:
        assert f'title="{rate.formula}"' in html
    # c7 (30 days old) drops out of a period of the last week.
    today = timezone.localdate()
    week = client.get("/dashboard/", {"period": "range", "start": (today - dt.timedelta(days=6)).isoformat(),
                                      "end": today.isoformat()})
    assert week.context["summary"]["filed"] == EXPECTED["filed"] - 1


def test_rankings_and_breakdowns_partition_the_summary(cases, world, client):
    client.force_login(world.users["leader"])
    ctx = client.get("/dashboard/", wide_period()).context
    assert sum(r["filed"] for r in ctx["communities"]) == ctx["summary"]["filed"]
    assert sum(r["filed"] for r in ctx["grids"]) == ctx["summary"]["filed"]
    assert sum(r["filed"] for r in ctx["categories"]) == ctx["summary"]["filed"]
    assert sum(r["filed"] for r in ctx["channels"]) == ctx["summary"]["filed"]
    by_name = {r["name"]: r for r in ctx["departments"]}
    assert by_name["区城管执法局"]["solved"] == 3
    # Community B (c3 only, in progress) ranks after community A on resolution rate.
    assert [r["name"] for r in ctx["communities"]] == ["东园社区", "西园社区"]
    assert ctx["communities"][1]["rates"]["resolution"] == 0


def test_trends_add_up(cases, world, client):
    client.force_login(world.users["leader"])
    ctx = client.get("/dashboard/", wide_period()).context
    charts = ctx["charts"]
    assert sum(charts["day"]["filed"]) == ctx["summary"]["filed"]
    assert len(charts["month"]["labels"]) == 12
    assert sum(charts["month"]["filed"]) >= EXPECTED["filed"] - 1  # c7 may fall in the month before


@pytest.mark.parametrize("kind", ["month", "last_month", "last90"])
def test_periods(kind):
    on = dt.date(2025, 3, 15)
    period = selectors.make_period(kind, on=on)
    expected = {"month": (dt.date(2025, 3, 1), on), "last_month": (dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
                "last90": (on - dt.timedelta(days=89), on)}[kind]
    assert (period.start, period.end) == expected


def test_a_bad_range_falls_back_to_this_month():
    on = dt.date(2025, 3, 15)
    assert selectors.make_period("range", dt.date(2025, 3, 10), dt.date(2025, 3, 1), on=on).kind == "month"
    assert selectors.make_period("range", dt.date(2020, 1, 1), dt.date(2025, 1, 1), on=on).kind == "month"


def test_overdue_cases_count_and_map_load(world, client):
    old = timezone.now() - dt.timedelta(days=30)
    overdue = case_in_state(world, CaseStatus.DISPATCHED, submitted_at=old)
    assert overdue.light == "red"
    case_in_state(world, CaseStatus.DISPATCHED)
    client.force_login(world.users["leader"])
    ctx = client.get("/dashboard/", {"period": "last90"}).context
    assert [c.number for c in ctx["overdue"]] == [overdue.number]
    load = {f["properties"]["name"]: f["properties"] for f in ctx["charts"]["map"]["features"]}
    assert load[world.grids[0].name]["open"] == 2 and load[world.grids[0].name]["overdue"] == 1
    assert len(load) == 4


def test_the_territorys_supervise_number_is_the_rollups_not_a_count_of_every_overdue_case(world, client):
    """督办 of a territory: the rollup's overdue figure as of its last refresh, like every other
    number of the page and the map's overdue load summed. Counting a city's overdue backlog case
    by case (180,000 at 10,000,000 cases) took 70 ms of every request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    old = timezone.now() - dt.timedelta(days=30)
    red = [case_in_state(world, CaseStatus.IN_PROGRESS, submitted_at=old) for _ in range(2)]
    case_in_state(world, CaseStatus.DISPATCHED)
    client.force_login(world.users["leader"])
    client.get("/dashboard/")  # builds the rollups
    with CaptureQueriesContext(connection) as queries:
        ctx = client.get("/dashboard/").context
    assert ctx["overdue_total"] == 2
    assert ctx["overdue_total"] == sum(f["properties"]["overdue"] for f in ctx["charts"]["map"]["features"])
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and '"cases_case"' in q["sql"]]
    assert counts == []
    # Resolved since the last refresh: the number follows at the next refresh, with the page's
    # "figures as of" time; the list below is live.
    actions.resolve_case(case=red[0], actor=world.users["chengguan"], result="已修复")
    ctx = client.get("/dashboard/").context
    assert [c.number for c in ctx["overdue"]] == [red[1].number]
    rollup.refresh_stats()
    assert client.get("/dashboard/").context["overdue_total"] == 1


def test_a_departments_overdue_list_holds_what_is_in_its_hands(world, client):
    """督办 for one department: its red cases, not one it has sent back (退单) nor another's."""
    old = timezone.now() - dt.timedelta(days=30)
    held = case_in_state(world, CaseStatus.DISPATCHED, submitted_at=old)
    returned = case_in_state(world, CaseStatus.DISPATCHED, submitted_at=old)
    returned = actions.return_case(case=returned, actor=world.users["chengguan"], reason="不属于城管职责")
    elsewhere = actions.dispatch_case(case=case_in_state(world, CaseStatus.ACCEPTED, submitted_at=old),
                                      actor=world.users["clerk"],
                                      lead=actions.Target(department=world.departments["huanwei"]))
    assert {c.light for c in Case.objects.filter(pk__in=[held.pk, returned.pk, elsewhere.pk])} == {"red"}
    client.force_login(world.users["leader"])
    ctx = client.get("/dashboard/", {"period": "last90", "department": world.departments["chengguan"].pk}).context
    assert [c.number for c in ctx["overdue"]] == [held.number]
    assert ctx["overdue_total"] == 1


def test_the_view_builds_the_rollups_and_refreshes_them_when_stale(world, client):
    from wangge.dashboard.models import StatsState

    case_in_state(world, CaseStatus.SUBMITTED)
    client.force_login(world.users["leader"])
    assert client.get("/dashboard/").context["summary"]["filed"] == 1  # first visit builds them
    case_in_state(world, CaseStatus.SUBMITTED)
    assert client.get("/dashboard/").context["summary"]["filed"] == 1  # fresh enough: not recomputed
    StatsState.objects.update(refreshed_at=timezone.now() - dt.timedelta(minutes=10))
    assert client.get("/dashboard/").context["summary"]["filed"] == 2


def test_management_command_rebuilds(cases):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("dashboard_stats", "--full", stdout=out)
    assert out.getvalue().startswith("rebuilt")
    assert _rollup_totals("") == metrics.direct_counts(Case.objects.all())


# --- the paths the rollups take: monthly rows, community-level breakdowns, a grid's cases -------


def _direct_by(cases, key) -> dict:
    """Counters straight from ``cases``, per value of ``key(case)`` (the reference)."""
    groups: dict = {}
    for case in cases:
        groups.setdefault(key(case), []).append(case.pk)
    return {k: metrics.direct_counts(Case.objects.filter(pk__in=pks)) for k, pks in groups.items()}


def _figures(rows, key) -> dict:
    return {r[key]: {k: r[k] for k in metrics.COUNTERS} for r in rows}


def _selection(world, user="leader", days=120, **extra):
    today = timezone.localdate()
    period = selectors.make_period("range", today - dt.timedelta(days=days), today)
    assert (period.end - period.start).days == days
    return selectors.Selection(user=world.users[user], period=period, **extra)


def _cases_in(sel):
    start, end = rollup.day_bounds(sel.period.start, sel.period.end)
    return Case.objects.filter(submitted_at__gte=start, submitted_at__lt=end)


def test_a_long_period_sums_whole_months_and_edge_days_exactly(spread, world):
    sel = _selection(world)
    assert "monthly" in str(sel.period.rows_q())  # four whole months at least are read as months
    cases = list(_cases_in(sel))
    assert len(cases) == 13
    assert {k: selectors.summary(sel)[k] for k in metrics.COUNTERS} == metrics.direct_counts(_cases_in(sel))
    tops = rollup.top_categories()
    assert _figures(selectors.grouped(sel, "category_top"), "category_top_id") == \
        _direct_by(cases, lambda c: tops.get(c.category_id))
    assert _figures(selectors.grouped(sel, "channel"), "channel") == _direct_by(cases, lambda c: c.channel)
    assert _figures(selectors.grouped(sel, "grid_id"), "grid_id") == _direct_by(cases, lambda c: c.grid_id)
    assert _figures(selectors.grouped(sel, "community_id"), "community_id") == \
        _direct_by(cases, lambda c: c.community_id)
    # Day by day the trend is the same cases.
    assert sum(r["filed"] for r in selectors.trend_by_day(sel)) == 13
    # Shorter periods that end inside a month, and one that is exactly one whole month.
    for days in (45, 80):
        short = _selection(world, days=days)
        assert selectors.summary(short)["filed"] == _cases_in(short).count()
    month = selectors.Selection(user=world.users["leader"], period=selectors.month_period(
        (timezone.localdate() - dt.timedelta(days=100)).year, (timezone.localdate() - dt.timedelta(days=100)).month))
    assert selectors.summary(month)["filed"] == _cases_in(month).count()


def test_breakdowns_of_a_grid_are_counted_from_the_cases(spread, world):
    grid = world.grids[0]
    sel = _selection(world, region=grid)
    assert sel.dim(("category_top",)) is None  # kept per community only: the cases are counted
    cases = [c for c in _cases_in(sel) if c.grid_id == grid.pk]
    tops = rollup.top_categories()
    assert _figures(selectors.grouped(sel, "category_top"), "category_top_id") == \
        _direct_by(cases, lambda c: tops.get(c.category_id))
    assert _figures(selectors.grouped(sel, "channel"), "channel") == _direct_by(cases, lambda c: c.channel)
    departments = {r["department_id"]: r for r in selectors.grouped(sel, "department")}
    chengguan = world.departments["chengguan"].pk
    led = [c for c in cases if c.assignments.filter(role="lead", department_id=chengguan).exists()]
    assert departments[chengguan]["filed"] == len(led) >= 3
    # A grid worker's jurisdiction is a grid: the same direct count.
    worker = _selection(world, user="worker_a1")
    assert worker.dim(("channel",)) is None
    assert _figures(selectors.grouped(worker, "channel"), "channel") == _figures(selectors.grouped(sel, "channel"),
                                                                                 "channel")


def test_department_filtered_breakdowns_match_a_direct_count(spread, world):
    huanwei = world.departments["huanwei"]
    sel = _selection(world, department=huanwei)
    cases = [c for c in _cases_in(sel) if c.category.default_department_id == huanwei.pk]
    # Filed but never dispatched: no lead department, so in no department's figures.
    assert selectors.summary(sel)["filed"] == 0 and len(cases) == 4
    clerk = world.users["clerk"]
    for case in cases[:2]:
        case = actions.accept_case(case=case, actor=clerk)
        actions.dispatch_case(case=case, actor=clerk, lead=actions.Target(department=huanwei))
    rollup.refresh_stats()
    assert selectors.summary(sel)["filed"] == 2
    assert {r["department_id"]: r["filed"] for r in selectors.grouped(sel, "department")} == {huanwei.pk: 2}
    assert sum(r["filed"] for r in selectors.grouped(sel, "channel")) == 2
    assert sum(r["filed"] for r in selectors.grouped(sel, "grid_id")) == 2
    grid_sel = _selection(world, department=huanwei, region=cases[0].grid)
    assert sum(r["filed"] for r in selectors.grouped(grid_sel, "category_top")) == \
        sum(1 for c in cases[:2] if c.grid_id == cases[0].grid_id)
