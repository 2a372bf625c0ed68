"""Keeping ``DailyCaseStats`` equal to a direct count of the cases.

The rollups are recomputed a whole day at a time: a day's rows are deleted and re-inserted from
the cases filed that day, inside one transaction, and then the monthly rows of those days' months
are re-summed from their daily rows. Which days to redo is read from ``Case.updated_at`` (every
action saves it): the days on which the cases changed since the last refresh were filed, looking
back a few minutes more so that a transaction that committed late is never missed. Recomputing a
day twice is harmless.

One pass over the cases: their key columns (the department is the case's 承办部门 column) and
one 0/1 flag per counter go into a temporary table, the three *base* dims are grouped from it,
and every other dim is summed from a base dim's rows (``DERIVED_FROM``), which is far cheaper
than going back to the cases.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case as When_, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, TruncDate, TruncMonth
from django.utils import timezone

from wangge.cases.models import Case, Category
from wangge.cases.sla import LOCAL_TZ

from . import metrics
from .models import COMMUNITY, DIM_LEVEL, DIMS, DailyCaseStats, StatsState

# How far before the last refresh to look for changed cases (transactions that committed late).
LOOKBACK = dt.timedelta(minutes=5)

TERRITORY = ("district", "subdistrict", "community", "grid")
KEYS = ("category_top", "channel", "department")
# The dims grouped from the cases; each other dim is the sum of one of these (or of a derived one
# computed before it: the order matters).
BASE_DIMS = ("department", "department.category", "department.channel")
DERIVED_FROM = {
    "": "department",
    "community.department": "department",
    "community": "",
    "category": "department.category",
    "channel": "department.channel",
}
KEYED_TABLE = "dashboard_keyed_cases"


@dataclass
class RefreshResult:
    days: int
    full: bool
    ms: int


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, LOCAL_TZ).date()


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in UTC of the local days ``first`` … ``last``."""
    start = dt.datetime.combine(first, dt.time.min, tzinfo=LOCAL_TZ)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=LOCAL_TZ)
    return start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)


def top_categories() -> dict[int, int]:
    """category id → id of its top-level ancestor (the breakdown is by top-level category)."""
    rows = list(Category.objects.values_list("pk", "path", "depth"))
    steplen = Category.steplen
    top_by_path = {path: pk for pk, path, depth in rows if depth == 1}
    return {pk: top_by_path[path[:steplen]] for pk, path, _depth in rows if path[:steplen] in top_by_path}


def category_top_expression():
    """The top-level category of a case's category, as an SQL expression."""
    by_top: dict[int, list[int]] = {}
    for cat, top in top_categories().items():
        by_top.setdefault(top, []).append(cat)
    if not by_top:
        return Cast(Value(None), IntegerField())
    return When_(
        *[When(category_id__in=ids, then=Value(top)) for top, ids in by_top.items()],
        default=Value(None), output_field=IntegerField(),
    )


def keyed_cases(cases: QuerySet) -> QuerySet:
    """The cases with the rollup key columns as annotations ``k_<column>`` (the department: the
    case's 承办部门, ``Case.lead_department``)."""
    return cases.annotate(
        k_id=F("pk"),
        k_day=TruncDate("submitted_at", tzinfo=LOCAL_TZ),
        k_district=F("district_id"),
        k_subdistrict=F("subdistrict_id"),
        k_community=F("community_id"),
        k_grid=F("grid_id"),
        k_category_top=category_top_expression(),
        k_channel=F("channel"),
        k_department=F("lead_department_id"),
    )


def _sql(qs: QuerySet) -> tuple[str, tuple]:
    return qs.query.get_compiler(using=qs.db).as_sql()


def _fill_keyed_table(cases: QuerySet) -> None:
    """The temporary table: per case its key columns and a 0/1 flag ``f_<counter>`` per counter."""
    flags = {f"f_{name}": When_(When(q, then=Value(1)), default=Value(0), output_field=IntegerField()) if q
             else Value(1, output_field=IntegerField()) for name, q in metrics.COUNTERS.items()}
    keyed = keyed_cases(cases).order_by().annotate(**flags).values(
        "k_id", "k_day", *[f"k_{c}" for c in (*TERRITORY, "category_top", "channel", "department")], *flags)
    cases_sql, cases_params = _sql(keyed)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {KEYED_TABLE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {KEYED_TABLE} AS {cases_sql}", cases_params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {KEYED_TABLE}")


def _columns(dim: str) -> list[str]:
    """The key columns (model field names) of ``dim``'s rows, after ``day``."""
    territory = TERRITORY if DIM_LEVEL[dim] != COMMUNITY else TERRITORY[:-1]
    return [*territory, *DIMS[dim]]


def _none_value(column: str) -> str:
    return "''" if column == "channel" else "NULL"


def _column(name: str) -> str:
    return connection.ops.quote_name(DailyCaseStats._meta.get_field(name).column)


def _insert(dim: str, monthly: bool, select_sql: str, params: tuple, columns: list[str]) -> None:
    """INSERT the rows of ``select_sql`` (day, ``columns``…, counters…) as ``dim``'s rows; the key
    columns the dim does not have get their "none" value."""
    missing = [c for c in (*TERRITORY, *KEYS) if c not in columns]
    target = ["dim", "monthly", "day", *columns, *metrics.COUNTERS, *missing]
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(DailyCaseStats._meta.db_table)} ({', '.join(_column(c) for c in target)}) "
           f"SELECT %s, %s, sub.*{''.join(', ' + _none_value(c) for c in missing)} FROM ({select_sql}) sub")
    with connection.cursor() as cursor:
        cursor.execute(sql, (dim, monthly, *params))


def _insert_base(dim: str) -> None:
    """``dim``'s daily rows grouped from the temporary table of keyed cases."""
    columns = _columns(dim)
    keys = ["k_day", *[f"k_{c}" for c in columns]]
    sums = ", ".join(f"SUM(f_{name})" for name in metrics.COUNTERS)
    # Ordered by day so that a period's rows sit together on disk (a full rebuild clusters them).
    select = f"SELECT {', '.join(keys)}, {sums} FROM {KEYED_TABLE} GROUP BY {', '.join(keys)} ORDER BY k_day"
    _insert(dim, False, select, (), columns)


def _insert_summed(dim: str, rows: QuerySet, *, monthly: bool) -> None:
    """Rows of ``dim`` summed from other rollup rows ``rows`` (per day, or per month)."""
    columns = _columns(dim)
    keys = {"s_day": TruncMonth("day") if monthly else F("day"),
            **{f"s_{c}": F(DailyCaseStats._meta.get_field(c).attname) for c in columns}}
    grouped = (rows.order_by().annotate(**keys).values(*keys)
               .annotate(**{name: Sum(name) for name in metrics.COUNTERS}).order_by("s_day"))
    select, params = _sql(grouped)
    _insert(dim, monthly, select, params, columns)


def rebuild(cases: QuerySet, days: list[dt.date] | None) -> None:
    """Replace the daily rows of ``days`` (every day when None) by the rollup of ``cases`` (the
    cases filed on those days), and the monthly rows of their months by the sums of the months'
    daily rows."""
    daily = DailyCaseStats.objects.filter(monthly=False)
    monthly = DailyCaseStats.objects.filter(monthly=True)
    day_rows, month_rows = daily, daily
    if days is not None:
        firsts = sorted({d.replace(day=1) for d in days})
        day_rows = daily.filter(day__in=sorted(set(days)))
        monthly = monthly.filter(day__in=firsts)
        in_months = Q(pk__in=[])
        for first in firsts:
            in_months |= Q(day__gte=first, day__lt=(first + dt.timedelta(days=32)).replace(day=1))
        month_rows = daily.filter(in_months)
    for qs in (day_rows, monthly):
        qs._raw_delete(qs.db)  # derived rows: no signals, no cascade
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The planner would JIT-compile the sums for longer than the query runs.
            cursor.execute("SET LOCAL jit = off")
    _fill_keyed_table(cases)
    try:
        for dim in BASE_DIMS:
            _insert_base(dim)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {KEYED_TABLE}")
    for dim, source in DERIVED_FROM.items():
        _insert_summed(dim, day_rows.filter(dim=source), monthly=False)
    for dim in DIMS:
        _insert_summed(dim, month_rows.filter(dim=dim), monthly=True)
    if days is None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Every row is new: without fresh statistics the planner reads the table whole.
            cursor.execute(f"ANALYZE {connection.ops.quote_name(DailyCaseStats._meta.db_table)}")


def _runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days → runs of consecutive days [(first, last), …]."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][1] == dt.timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def rebuild_days(days: list[dt.date]) -> None:
    """Recompute the rollups of the given local days."""
    if not days:
        return
    cases_q = Q(pk__in=[])
    for first, last in _runs(days):
        start, end = day_bounds(first, last)
        cases_q |= Q(submitted_at__gte=start, submitted_at__lt=end)
    rebuild(Case.objects.filter(cases_q), days)


def changed_days(since: dt.datetime) -> list[dt.date]:
    """Local filing days of the cases changed since ``since``."""
    return sorted(
        d for d in Case.objects.filter(updated_at__gte=since)
        .annotate(d=TruncDate("submitted_at", tzinfo=LOCAL_TZ)).order_by().values_list("d", flat=True).distinct()
        if d is not None
    )


@transaction.atomic
def refresh_stats(*, full: bool = False) -> RefreshResult:
    """Bring the rollups up to date: every day with a changed case (or everything, the first
    time or when ``full``). Serialised by a row lock, so two workers never interleave."""
    began = time.monotonic()
    started_at = timezone.now()
    state = StatsState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        StatsState.objects.bulk_create([StatsState(pk=1)], ignore_conflicts=True)
        state = StatsState.objects.select_for_update().get(pk=1)
    full = full or state.watermark is None
    if full:
        rebuild(Case.objects.all(), None)
        days = DailyCaseStats.objects.filter(monthly=False).values("day").distinct().count()
        state.rebuilt_at = started_at
    else:
        day_list = changed_days(state.watermark - LOOKBACK)
        rebuild_days(day_list)
        days = len(day_list)
    ms = int((time.monotonic() - began) * 1000)
    state.watermark = state.refreshed_at = started_at
    state.last_duration_ms, state.last_days = ms, days
    state.save()
    return RefreshResult(days=days, full=full, ms=ms)


def stats_state() -> StatsState | None:
    return StatsState.objects.filter(pk=1).first()
