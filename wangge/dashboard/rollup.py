"""Keeping ``DailyCaseStats`` equal to a direct count of the cases.

The rollups are always the sum of the *contributions* (``CaseContribution``): per case, the day
and key columns of the rows it counts in and one bit per counter it counts in. An incremental
refresh costs in proportion to the cases that changed, not to the cases filed on their days:

1. the changed cases are read through ``Case.updated_at`` (every action saves it; its index),
   looking back a few minutes before the last refresh so that a transaction that committed late
   is never missed, plus the cases deleted since (``DeletedCase``, queued by the ``on_delete`` of
   the contribution's case);
2. their new contributions are computed (the "keyed" rows below) and their stored ones read;
3. new minus old, grouped per dim and key, per day and per month, is added to the daily and
   monthly rows (``UPDATE … FROM`` through the unique key index — on PostgreSQL mostly HOT
   updates, as the table leaves room on its pages — then ``INSERT`` of the keys that have no
   row yet; a row whose ``filed`` falls to 0 is deleted, as a rebuild would not have it);
4. the stored contributions of those cases that differ are replaced by the new ones (a deleted
   case's is dropped).

All of it in one transaction, serialised by a row lock on ``StatsState``. Refreshing a case twice
is harmless: the second time new equals old and nothing is added. A refresh that overlaps a case
change either sees the change or leaves it to the next refresh (its ``updated_at`` is within the
look-back); either way the stored contribution says what the rollups hold for it. Every counter
is a function of the case's own columns (the deadline light, which ``overdue`` reads, is written
by the sweep with ``updated_at``), so nothing changes by the passing of time alone. The one input
that is not a column of the case is the category tree (the breakdown is by top-level category):
moving a category under another parent is seen case by case as the cases change, and completely
after a full rebuild.

The full rebuild (the first refresh, ``full=True``, and whenever ``metrics.COUNTERS`` changed —
``StatsState.flag_counters``; so also the first refresh after the contributions were added)
throws the rows and contributions away and rebuilds both from one pass over the cases: their key
columns (the department is the case's 承办部门 column) and one 0/1 flag per counter go into a
temporary table, the contributions and the three *base* dims are grouped from it, and every other
dim is summed from a base dim's rows (``DERIVED_FROM``), which is far cheaper than going back to
the cases.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Case as When_
from django.db.models import F, IntegerField, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, TruncDate, TruncMonth
from django.utils import timezone

from wangge.cases.models import Case, Category
from wangge.cases.sla import LOCAL_TZ
from wangge.core.pgsettings import set_for_transaction

from . import metrics
from .models import (
    COMMUNITY,
    DIM_LEVEL,
    DIMS,
    KEY_COLUMNS,
    CaseContribution,
    DailyCaseStats,
    DeletedCase,
    StatsState,
)

log = logging.getLogger("wangge.dashboard")

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
# Temporary tables of one refresh.
KEYED_TABLE = "dashboard_keyed_cases"  # the changed cases' new contributions (k_… keys, f_… flags)
IDS_TABLE = "dashboard_rollup_ids"  # the changed and the deleted cases' ids
DELTA_TABLE = "dashboard_rollup_delta"  # new minus old contributions, per day and key
CHANGES_TABLE = "dashboard_rollup_changes"  # the delta per dim, daily and monthly: what to add
TEMP_TABLES = (KEYED_TABLE, IDS_TABLE, DELTA_TABLE, CHANGES_TABLE)
# Ids passed as parameters per statement, at most.
CHUNK = 5000


@dataclass
class RefreshResult:
    days: int  # days whose rows changed (every day with rows, for a full rebuild)
    full: bool
    ms: int
    cases: int = 0  # cases looked at (changed or deleted; every case, for a full rebuild)


def counter_layout() -> str:
    """The counters in the bit order of ``CaseContribution.flags``."""
    return ",".join(metrics.COUNTERS)


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


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _execute(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _drop_temp_tables() -> None:
    for table in TEMP_TABLES:
        _execute(f"DROP TABLE IF EXISTS {table}")


def _analyze(table: str) -> None:
    # Temporary tables get no statistics of their own; without them the planner guesses.
    if connection.vendor == "postgresql":
        _execute(f"ANALYZE {table}")


KEYED_COLUMNS = ["k_id", "k_day", *[f"k_{c}" for c in KEY_COLUMNS], *[f"f_{name}" for name in metrics.COUNTERS]]


def _fill_keyed_table(cases: QuerySet, *, append: bool = False) -> None:
    """The temporary table: per case its key columns and a 0/1 flag ``f_<counter>`` per counter
    (its new contribution). ``append``: add the cases not in it yet."""
    flags = {f"f_{name}": When_(When(q, then=Value(1)), default=Value(0), output_field=IntegerField()) if q
             else Value(1, output_field=IntegerField()) for name, q in metrics.COUNTERS.items()}
    keyed = keyed_cases(cases).order_by().annotate(**flags).values(*KEYED_COLUMNS)
    cases_sql, cases_params = _sql(keyed)
    if append:
        columns = ", ".join(KEYED_COLUMNS)
        _execute(f"INSERT INTO {KEYED_TABLE} ({columns}) SELECT {columns} FROM ({cases_sql}) sub "
                 f"WHERE sub.k_id NOT IN (SELECT k_id FROM {KEYED_TABLE})", cases_params)
    else:
        _execute(f"DROP TABLE IF EXISTS {KEYED_TABLE}")
        _execute(f"CREATE TEMPORARY TABLE {KEYED_TABLE} AS {cases_sql}", cases_params)


def _columns(dim: str) -> list[str]:
    """The key columns (model field names) of ``dim``'s rows, after ``day``."""
    territory = TERRITORY if DIM_LEVEL[dim] != COMMUNITY else TERRITORY[:-1]
    return [*territory, *DIMS[dim]]


def _none_value(column: str) -> str:
    return "''" if column == "channel" else "NULL"


def _column(name: str, model=DailyCaseStats) -> str:
    return _qn(model._meta.get_field(name).column)


def _insert(dim: str, monthly: bool, select_sql: str, params: tuple, columns: list[str]) -> None:
    """INSERT the rows of ``select_sql`` (day, ``columns``…, counters…) as ``dim``'s rows; the key
    columns the dim does not have get their "none" value."""
    missing = [c for c in (*TERRITORY, *KEYS) if c not in columns]
    target = ["dim", "monthly", "day", *columns, *metrics.COUNTERS, *missing]
    sql = (f"INSERT INTO {_qn(DailyCaseStats._meta.db_table)} ({', '.join(_column(c) for c in target)}) "
           f"SELECT %s, %s, sub.*{''.join(', ' + _none_value(c) for c in missing)} FROM ({select_sql}) sub")
    _execute(sql, (dim, monthly, *params))


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


def _packed_flags(prefix: str = "") -> str:
    """The keyed table's 0/1 flags as one integer: bit ``i`` is the ``i``-th counter."""
    return " + ".join(f"{prefix}f_{name} * {1 << i}" for i, name in enumerate(metrics.COUNTERS))


def _store_contributions(where: str = "") -> None:
    """INSERT the keyed table's rows (``where`` they match) as the cases' contributions."""
    table = CaseContribution._meta.db_table
    target = ["case", "day", *KEY_COLUMNS, "flags"]
    _execute(f"INSERT INTO {_qn(table)} ({', '.join(_column(c, CaseContribution) for c in target)}) "
             f"SELECT k.k_id, k.k_day, {', '.join(f'k.k_{c}' for c in KEY_COLUMNS)}, {_packed_flags('k.')} "
             f"FROM {KEYED_TABLE} k {where}")


def _jit_off() -> None:
    # The planner would JIT-compile the sums for longer than the query runs.
    set_for_transaction(jit="off")


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _forget_deleted(ids: list[int]) -> None:
    for chunk in _chunks(ids):
        DeletedCase.objects.filter(case_id__in=chunk)._raw_delete(DeletedCase.objects.db)


# ---------------------------------------------------------------------------------------------
# The full rebuild
# ---------------------------------------------------------------------------------------------


def rebuild() -> None:
    """Replace every rollup row and every contribution by those of the cases as they are now."""
    # The cases deleted before this point are not in the pass below: their queue entries go.
    # (One deleted while it runs may be in it: its entry stays for the next refresh.)
    deleted = list(DeletedCase.objects.values_list("case_id", flat=True))
    DailyCaseStats.objects.all()._raw_delete(DailyCaseStats.objects.db)  # derived rows: no signals
    table = _qn(CaseContribution._meta.db_table)
    _execute(f"TRUNCATE {table}" if connection.vendor == "postgresql" else f"DELETE FROM {table}")
    _jit_off()
    _fill_keyed_table(Case.objects.all())
    _analyze(KEYED_TABLE)
    _store_contributions()
    for dim in BASE_DIMS:
        _insert_base(dim)
    _execute(f"DROP TABLE IF EXISTS {KEYED_TABLE}")
    daily = DailyCaseStats.objects.filter(monthly=False)
    for dim, source in DERIVED_FROM.items():
        _insert_summed(dim, daily.filter(dim=source), monthly=False)
    for dim in DIMS:
        _insert_summed(dim, daily.filter(dim=dim), monthly=True)
    _forget_deleted(deleted)
    if connection.vendor == "postgresql":
        # Every row is new: without fresh statistics the planner reads the tables whole.
        _execute(f"ANALYZE {_qn(DailyCaseStats._meta.db_table)}")
        _execute(f"ANALYZE {table}")


# ---------------------------------------------------------------------------------------------
# The incremental refresh: new minus old contributions of the changed cases
# ---------------------------------------------------------------------------------------------


def _fill_changed(since: dt.datetime, deleted: list[int]) -> int:
    """The keyed table of the cases changed since ``since`` and of the queued deleted ones that
    still exist, and the table of all their ids. Returns how many ids."""
    _fill_keyed_table(Case.objects.filter(updated_at__gte=since))
    for chunk in _chunks(deleted):
        _fill_keyed_table(Case.objects.filter(pk__in=chunk), append=True)
    _execute(f"DROP TABLE IF EXISTS {IDS_TABLE}")
    _execute(f"CREATE TEMPORARY TABLE {IDS_TABLE} (id bigint PRIMARY KEY)")
    _execute(f"INSERT INTO {IDS_TABLE} (id) SELECT k_id FROM {KEYED_TABLE}")
    with connection.cursor() as cursor:
        for chunk in _chunks(deleted):
            values = ", ".join(["(%s)"] * len(chunk))
            cursor.execute(f"INSERT INTO {IDS_TABLE} (id) VALUES {values} ON CONFLICT DO NOTHING", chunk)
        cursor.execute(f"SELECT COUNT(*) FROM {IDS_TABLE}")
        count = cursor.fetchone()[0]
    # (No ANALYZE of these small tables: the planner's guess from their size serves, and looks
    # each row up by index; the statistics would cost more than they save.)
    return count


def _any_nonzero(prefix: str = "") -> str:
    return " OR ".join(f"SUM({prefix}{name}) <> 0" for name in metrics.COUNTERS)


def _fill_delta() -> None:
    """Per day and key: the new contributions minus the stored ones (groups that cancel out
    left out)."""
    keys = ["k_day", *[f"k_{c}" for c in KEY_COLUMNS]]
    stored = [_column(c, CaseContribution) for c in ("day", *KEY_COLUMNS)]
    old_flags = [f"-((flags >> {i}) & 1)" for i, _name in enumerate(metrics.COUNTERS)]
    flags = [f"f_{name}" for name in metrics.COUNTERS]
    _execute(f"DROP TABLE IF EXISTS {DELTA_TABLE}")
    _execute(
        f"CREATE TEMPORARY TABLE {DELTA_TABLE} AS "
        f"SELECT {', '.join(keys)}, {', '.join(f'SUM({f}) AS {f}' for f in flags)} FROM ("
        f"SELECT {', '.join(keys)}, {', '.join(flags)} FROM {KEYED_TABLE} "
        f"UNION ALL "
        f"SELECT {', '.join(stored)}, {', '.join(old_flags)} "
        f"FROM {_qn(CaseContribution._meta.db_table)} "
        f"WHERE {_column('case', CaseContribution)} IN (SELECT id FROM {IDS_TABLE})"
        f") u GROUP BY {', '.join(keys)} HAVING {_any_nonzero('f_')}"
    )


def _month_of(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', CAST({column} AS timestamp)) AS date)"
    return f"date({column}, 'start of month')"


def _fill_changes() -> None:
    """The delta grouped per dim, per day and per month: what to add to each rollup row. Every
    key column is there; the ones a dim does not have hold their "none" value."""
    branches, params = [], []
    sums = ", ".join(f"SUM(f_{name}) AS {name}" for name in metrics.COUNTERS)
    for dim in DIMS:
        columns = _columns(dim)
        for monthly in (False, True):
            day = _month_of("k_day") if monthly else "k_day"
            keys = [day, *[f"k_{c}" for c in columns]]
            values = [f"k_{c}" if c in columns else "''" if c == "channel" else "CAST(NULL AS bigint)"
                      for c in KEY_COLUMNS]
            branches.append(
                f"SELECT %s AS dim, %s AS monthly, {day} AS day, "
                f"{', '.join(f'{v} AS {c}' for v, c in zip(values, KEY_COLUMNS))}, {sums} "
                f"FROM {DELTA_TABLE} GROUP BY {', '.join(keys)} HAVING {_any_nonzero('f_')}")
            params += [dim, monthly]
    _execute(f"DROP TABLE IF EXISTS {CHANGES_TABLE}")
    _execute(f"CREATE TEMPORARY TABLE {CHANGES_TABLE} AS {' UNION ALL '.join(branches)}", tuple(params))


def _matches(row: str, change: str) -> str:
    """SQL: rollup row ``row`` has the dim, day and keys of change ``change`` (the terms of the
    unique key index, so that PostgreSQL looks each one up in it)."""
    terms = [f"{row}.{_column(c)} = {change}.{c}" for c in ("dim", "monthly", "day")]
    for c in KEY_COLUMNS:
        if c == "channel":
            terms.append(f"{row}.{_column(c)} = {change}.{c}")
        else:
            terms.append(f"COALESCE({row}.{_column(c)}, 0) = COALESCE({change}.{c}, 0)")
    return " AND ".join(terms)


def _apply_changes() -> None:
    """Add the changes to the rollup rows: to the existing rows, then as new rows for the keys
    without one; rows left with nothing filed are deleted."""
    table = _qn(DailyCaseStats._meta.db_table)
    counters = [_column(name) for name in metrics.COUNTERS]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {', '.join(f'{c} = {table}.{c} + ch.{c}' for c in counters)} "
            f"FROM {CHANGES_TABLE} ch WHERE {_matches(table, 'ch')} "
            f"RETURNING {table}.{_qn('id')}, {table}.{_column('filed')}"
        )
        emptied = [pk for pk, filed in cursor.fetchall() if filed == 0]
        # A key new to the rollups can only be added to: a negative count here (or a count made
        # negative above) breaks the counters' CHECK constraint — the rows and the contributions
        # disagree, and refresh_stats rebuilds.
        target = ["dim", "monthly", "day", *KEY_COLUMNS, *metrics.COUNTERS]
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(_column(c) for c in target)}) "
            f"SELECT {', '.join(f'ch.{c}' for c in target)} FROM {CHANGES_TABLE} ch "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {_matches(table, 'ch')})"
        )
    for chunk in _chunks(emptied):
        DailyCaseStats.objects.filter(pk__in=chunk)._raw_delete(DailyCaseStats.objects.db)


def _replace_contributions() -> None:
    """Store the changed cases' new contributions where they differ from the stored ones (a case
    re-read within the look-back, or changed in a way no counter sees, is left as it is)."""
    table = _qn(CaseContribution._meta.db_table)
    case = _column("case", CaseContribution)
    same = [f"{table}.{_column('day', CaseContribution)} = k.k_day",
            f"{table}.{_column('flags', CaseContribution)} = {_packed_flags('k.')}"]
    for c in KEY_COLUMNS:
        stored = f"{table}.{_column(c, CaseContribution)}"
        same.append(f"{stored} = k.k_{c}" if c == "channel" else f"COALESCE({stored}, 0) = COALESCE(k.k_{c}, 0)")
    _execute(f"DELETE FROM {table} WHERE {case} IN (SELECT id FROM {IDS_TABLE}) AND NOT EXISTS "
             f"(SELECT 1 FROM {KEYED_TABLE} k WHERE k.k_id = {table}.{case} AND {' AND '.join(same)})")
    _store_contributions(f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {table}.{case} = k.k_id)")


def apply_changed_cases(since: dt.datetime) -> tuple[int, int]:
    """Bring the rollups up to date with the cases changed since ``since`` and the cases deleted
    since the last refresh. Returns (cases looked at, days whose rows changed). Call it inside
    ``refresh_stats`` (its transaction and lock)."""
    deleted = list(DeletedCase.objects.values_list("case_id", flat=True))
    _jit_off()
    # (On an error the temporary tables go with the rolled-back transaction or savepoint.)
    cases = _fill_changed(since, deleted)
    days = 0
    if cases:
        _fill_delta()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(DISTINCT k_day) FROM {DELTA_TABLE}")
            days = cursor.fetchone()[0]
        if days:
            _fill_changes()
            _apply_changes()
        _replace_contributions()
        _forget_deleted(deleted)
    _drop_temp_tables()
    return cases, days


@transaction.atomic
def refresh_stats(*, full: bool = False) -> RefreshResult:
    """Bring the rollups up to date: add what the changed cases count now minus what they counted
    before (or rebuild everything: the first time, when ``full``, or when the counters changed).
    Serialised by a row lock, so two workers never interleave."""
    began = time.monotonic()
    started_at = timezone.now()
    state = StatsState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        StatsState.objects.bulk_create([StatsState(pk=1)], ignore_conflicts=True)
        state = StatsState.objects.select_for_update().get(pk=1)
    full = full or state.watermark is None or state.flag_counters != counter_layout()
    if not full:
        try:
            with transaction.atomic():
                cases, days = apply_changed_cases(state.watermark - LOOKBACK)
        except IntegrityError:
            # A count would go negative: the rows do not hold what the contributions say they do
            # (rows edited by hand?). Start again from the cases.
            log.exception("dashboard rollups disagree with the stored contributions: rebuilding them")
            full = True
    if full:
        rebuild()
        days = DailyCaseStats.objects.filter(monthly=False).values("day").distinct().count()
        cases = CaseContribution.objects.count()
        state.rebuilt_at = started_at
        state.flag_counters = counter_layout()
    ms = int((time.monotonic() - began) * 1000)
    state.watermark = state.refreshed_at = started_at
    state.last_duration_ms, state.last_days, state.last_cases = ms, days, cases
    state.save()
    return RefreshResult(days=days, full=full, ms=ms, cases=cases)


def stats_state() -> StatsState | None:
    return StatsState.objects.filter(pk=1).first()
