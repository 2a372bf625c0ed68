"""Keeping ``DailyCaseStats`` equal to a direct count of the cases.

The rollups are recomputed a whole day at a time: a day's rows are deleted and re-inserted from
the cases filed that day, in one ``INSERT … SELECT`` per dim, inside one transaction. Which days
to redo is read from ``Case.updated_at`` (every action saves it): the days on which the cases
changed since the last refresh were filed, looking back a few minutes more so that a transaction
that committed late is never missed. Recomputing a day twice is harmless.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case as When_, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from wangge.cases.choices import AssignmentRole
from wangge.cases.models import Case, CaseAssignment, Category
from wangge.cases.sla import LOCAL_TZ

from . import metrics
from .models import DIMS, DailyCaseStats, StatsState

# How far before the last refresh to look for changed cases (transactions that committed late).
LOOKBACK = dt.timedelta(minutes=5)

TERRITORY = ("district", "subdistrict", "community", "grid")


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


def lead_department() -> Subquery:
    """承办部门 — the department of the case's most recent lead assignment (null when that
    assignment is to a community, grid or person, or the case was never dispatched)."""
    latest = CaseAssignment.objects.filter(case=OuterRef("pk"), role=AssignmentRole.LEAD).order_by("-assigned_at", "-pk")
    return Subquery(latest.values("department_id")[:1], output_field=IntegerField())


def keyed_cases(cases: QuerySet) -> QuerySet:
    """The cases with the rollup key columns as annotations ``k_<column>``."""
    by_top: dict[int, list[int]] = {}
    for cat, top in top_categories().items():
        by_top.setdefault(top, []).append(cat)
    category_top = When_(
        *[When(category_id__in=ids, then=Value(top)) for top, ids in by_top.items()],
        default=Value(None), output_field=IntegerField(),
    ) if by_top else Cast(Value(None), IntegerField())
    return cases.annotate(
        k_day=TruncDate("submitted_at", tzinfo=LOCAL_TZ),
        k_district=F("district_id"),
        k_subdistrict=F("subdistrict_id"),
        k_community=F("community_id"),
        k_grid=F("grid_id"),
        k_category_top=category_top,
        k_channel=F("channel"),
        k_department=lead_department(),
    )


def _insert_dim(cases: QuerySet, dim: str) -> None:
    """INSERT INTO the rollup table the grouped counters of ``cases`` for ``dim``."""
    keys = ["day", *TERRITORY, *DIMS[dim]]
    # Ordered by day so that a period's rows sit together on disk (a full rebuild clusters them).
    grouped = (keyed_cases(cases).order_by().values(*[f"k_{k}" for k in keys])
               .annotate(**metrics.count_annotations()).order_by("k_day"))
    compiler = grouped.query.get_compiler(using=cases.db)
    sql, params = compiler.as_sql()
    aliases = [alias for _expr, _sql, alias in compiler.select]
    columns = {f"k_{k}": DailyCaseStats._meta.get_field(k).column for k in keys}
    target = [columns.get(alias, alias) for alias in aliases]
    missing_const = [c for c in ("category_top", "channel", "department") if c not in DIMS[dim]]
    # Columns the dim does not split by get their "none" value.
    const_cols = [DailyCaseStats._meta.get_field(c).column for c in missing_const]
    const_vals = ["''" if c == "channel" else "NULL" for c in missing_const]
    qn = connection.ops.quote_name
    insert = (
        f"INSERT INTO {qn(DailyCaseStats._meta.db_table)} "
        f"({', '.join(qn(c) for c in [DailyCaseStats._meta.get_field('dim').column, *target, *const_cols])}) "
        f"SELECT %s, sub.* {', ' + ', '.join(const_vals) if const_vals else ''} FROM ({sql}) sub"
    )
    with connection.cursor() as cursor:
        cursor.execute(insert, (dim, *params))


def rebuild(cases: QuerySet, delete: QuerySet) -> None:
    """Replace the rows ``delete`` by the rollup of ``cases`` (all dims)."""
    delete._raw_delete(delete.db)  # derived rows: no signals, no cascade
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The planner overestimates the per-case subquery and JIT-compiles for longer than
            # the query runs.
            cursor.execute("SET LOCAL jit = off")
    for dim in DIMS:
        _insert_dim(cases, dim)


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
    rebuild(Case.objects.filter(cases_q), DailyCaseStats.objects.filter(day__in=sorted(set(days))))


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
        rebuild(Case.objects.all(), DailyCaseStats.objects.all())
        days = DailyCaseStats.objects.values("day").distinct().count()
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
