"""Rollup refresh benchmark on PostgreSQL (issue 14 §2): the incremental refresh of the
dashboard rollups after 1,500 changed cases must cost in proportion to those cases, not to the
cases filed on their days — compare its time at 1M and at 8M cases (within 1.5× of each other).

``run(stdout)`` expects Django set up on a migrated PostgreSQL database (``benchmarks.run`` calls
it). It tops the benchmark district up to ``WANGGE_BENCH_CASES`` cases (default 1,000,000; a
database that already holds more keeps them: the figures are for the cases there) with
``benchmarks.dashboard.insert_cases``, rebuilds the rollups when they have never been built (or
when ``WANGGE_BENCH_ROLLUP_FULL=1``), then, three times over:

* changes the 1,500 most recently filed cases — status and its timestamps, 承办部门, category,
  rating, deadline light, on a different share of them each round, and ``updated_at`` on all.
  These are benchmark fixture writes with ``UPDATE``, not a lifecycle: they bypass the actions on
  purpose, like the data itself;
* moves the watermark so that the refresh's look-back covers just these changes (otherwise it
  would also re-read whatever an earlier run changed in the last five minutes);
* times ``refresh_stats()`` (the periodic task's call) — the figure;
* for comparison, after the rounds, times the refresh before issue 14 §2 (the changed cases'
  whole filing days recomputed from the cases, and their months re-summed) in a transaction
  rolled back.

Standalone: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/wangge_bench_rollup_1m
python -m benchmarks.rollup`` (migrates that database first).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time

from benchmarks.scale import case_sizes

N_CASES = case_sizes()[0]  # benchmarks.run sets it for each size of WANGGE_BENCH_CASES
CHANGED = 1500
ROUNDS = 3
TARGET_MS = 500

CHANGE_SQL = """
WITH picked AS (
  SELECT c.id, row_number() OVER (ORDER BY c.id) AS i FROM cases_case c WHERE c.id = ANY(%(ids)s)
)
UPDATE cases_case c SET
  status = CASE
    WHEN (p.i + %(round)s) %% 3 = 0 THEN CASE c.status
      WHEN 'submitted' THEN 'accepted' WHEN 'accepted' THEN 'dispatched' WHEN 'dispatched' THEN 'in_progress'
      WHEN 'in_progress' THEN 'resolved' WHEN 'resolved' THEN 'closed' WHEN 'closed' THEN 'in_progress'
      ELSE c.status END
    ELSE c.status END,
  accepted_at = CASE WHEN (p.i + %(round)s) %% 3 = 0 AND c.accepted_at IS NULL AND c.status = 'submitted'
                     THEN now() ELSE c.accepted_at END,
  resolved_at = CASE WHEN (p.i + %(round)s) %% 3 = 0 AND c.status = 'in_progress' THEN now()
                     WHEN (p.i + %(round)s) %% 3 = 0 AND c.status = 'closed' THEN NULL ELSE c.resolved_at END,
  resolved_on_time = CASE WHEN (p.i + %(round)s) %% 3 = 0 AND c.status = 'in_progress' THEN now() <= c.resolve_due_at
                          WHEN (p.i + %(round)s) %% 3 = 0 AND c.status = 'closed' THEN NULL
                          ELSE c.resolved_on_time END,
  closed_at = CASE WHEN (p.i + %(round)s) %% 3 = 0 AND c.status = 'resolved' THEN now()
                   WHEN (p.i + %(round)s) %% 3 = 0 AND c.status = 'closed' THEN NULL ELSE c.closed_at END,
  lead_department_id = CASE WHEN (p.i + %(round)s) %% 5 = 1
                            THEN (%(departments)s::bigint[])[1 + (p.i + %(round)s) %% 12] ELSE c.lead_department_id END,
  category_id = CASE WHEN (p.i + %(round)s) %% 5 = 2
                     THEN (%(categories)s::bigint[])[1 + (p.i * 7 + %(round)s) %% 30] ELSE c.category_id END,
  satisfaction = CASE WHEN (p.i + %(round)s) %% 7 = 3
                      THEN (ARRAY['satisfied', 'basically', 'unsatisfied', ''])[1 + (p.i + %(round)s) %% 4]
                      ELSE c.satisfaction END,
  light = CASE WHEN (p.i + %(round)s) %% 11 = 4
               THEN (ARRAY['green', 'amber', 'red'])[1 + (p.i + %(round)s) %% 3] ELSE c.light END,
  updated_at = now()
FROM picked p WHERE c.id = p.id
"""


def _change(ids: list[int], round_: int, departments: list[int], categories: list[int]) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(CHANGE_SQL, {"ids": ids, "round": round_, "departments": departments,
                                    "categories": categories})


def _days_recomputed_before(ids: list[int]) -> float:
    """Seconds of the refresh before issue 14 §2 for the cases ``ids``: every local day they were
    filed on recomputed from all its cases, the months of those days re-summed (rolled back)."""
    from django.db import transaction
    from django.db.models import Q
    from django.db.models.functions import TruncDate

    from wangge.cases.models import Case
    from wangge.cases.sla import LOCAL_TZ
    from wangge.dashboard import rollup
    from wangge.dashboard.models import DIMS, DailyCaseStats

    began = time.monotonic()
    with transaction.atomic():
        days = sorted(set(Case.objects.filter(pk__in=ids).annotate(d=TruncDate("submitted_at", tzinfo=LOCAL_TZ))
                          .values_list("d", flat=True)))
        cases_q = Q(pk__in=[])
        for day in days:
            start, end = rollup.day_bounds(day, day)
            cases_q |= Q(submitted_at__gte=start, submitted_at__lt=end)
        firsts = sorted({d.replace(day=1) for d in days})
        daily = DailyCaseStats.objects.filter(monthly=False)
        day_rows = daily.filter(day__in=days)
        in_months = Q(pk__in=[])
        for first in firsts:
            in_months |= Q(day__gte=first, day__lt=(first + dt.timedelta(days=32)).replace(day=1))
        for qs in (day_rows, DailyCaseStats.objects.filter(monthly=True, day__in=firsts)):
            qs._raw_delete(qs.db)
        rollup._jit_off()
        rollup._fill_keyed_table(Case.objects.filter(cases_q))
        for dim in rollup.BASE_DIMS:
            rollup._insert_base(dim)
        rollup._drop_temp_tables()
        for dim, source in rollup.DERIVED_FROM.items():
            rollup._insert_summed(dim, day_rows.filter(dim=source), monthly=False)
        for dim in DIMS:
            rollup._insert_summed(dim, daily.filter(in_months, dim=dim), monthly=True)
        seconds = time.monotonic() - began
        transaction.set_rollback(True)
    return seconds


def run(stdout=sys.stdout) -> list[tuple[str, str, str, str]]:
    """Build the data, time the refreshes, print and return rows (name, target, measured, result)."""
    from django.db import connection
    from django.utils import timezone

    from benchmarks.dashboard import PREFIX, build_territory, insert_cases
    from wangge.cases.models import Case
    from wangge.dashboard import rollup
    from wangge.dashboard.models import CaseContribution, StatsState
    from wangge.org.models import Department

    if connection.vendor != "postgresql":
        stdout.write("rollup bench: needs PostgreSQL (skipped)\n")
        return []
    seconds = insert_cases(N_CASES, stdout)
    if seconds:
        stdout.write(f"  inserted cases in {seconds:.1f} s\n")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'cases_case'")
        n = cursor.fetchone()[0]
    stdout.write(f"rollup bench: about {n:,} cases on PostgreSQL\n")
    state = rollup.stats_state()
    full_needed = (state is None or state.watermark is None or state.flag_counters != rollup.counter_layout()
                   or os.environ.get("WANGGE_BENCH_ROLLUP_FULL") == "1")
    rows = []
    if full_needed:
        full = rollup.refresh_stats(full=True)
        with connection.cursor() as cursor:  # every row is new: vacuum, as autovacuum would
            cursor.execute("VACUUM ANALYZE dashboard_dailycasestats")
            cursor.execute("VACUUM ANALYZE dashboard_casecontribution")
        stdout.write(f"  full rollup rebuild (rows and contributions): {full.ms / 1000:.1f} s, "
                     f"{CaseContribution.objects.count():,} contributions\n")
        rows.append(("rollup full rebuild", "—", f"{full.ms / 1000:.1f} s", "—"))
    rollup.refresh_stats()  # catch up with whatever changed since

    _d, _g, categories, _l, _s = build_territory()
    departments = list(Department.objects.filter(code__startswith="bench-d").order_by("code")
                       .values_list("pk", flat=True))
    category_ids = [c.pk for c in categories]
    ids = list(Case.objects.filter(number__startswith=PREFIX).order_by("-submitted_at")
               .values_list("pk", flat=True)[:CHANGED])
    after, before = [], []
    for round_ in range(ROUNDS):
        StatsState.objects.filter(pk=1).update(watermark=timezone.now() + rollup.LOOKBACK - dt.timedelta(seconds=1))
        _change(ids, round_, departments, category_ids)
        result = rollup.refresh_stats()
        after.append(result.ms)
        stdout.write(f"  round {round_ + 1}: refresh {result.ms} ms ({result.cases} cases looked at, rows of "
                     f"{result.days} days changed)\n")
    # After the rounds: its rolled-back rows would otherwise take the free space of the pages the
    # next round updates.
    for _round in range(ROUNDS):
        before.append(_days_recomputed_before(ids) * 1000)
    stdout.write(f"  their filing days recomputed instead: {', '.join(f'{ms:.0f}' for ms in before)} ms\n")
    measured = statistics.median(after)
    rows += [
        (f"rollup refresh, {CHANGED:,} changed cases", f"< {TARGET_MS} ms",
         f"{measured:.0f} ms", "pass" if measured < TARGET_MS else "FAIL"),
        ("  before: their filing days recomputed", "—",
         f"{statistics.median(before):.0f} ms", "—"),
    ]
    width = max(len(r[0]) for r in rows)
    stdout.write(f"{'name'.ljust(width)}  {'target':>10}  {'measured':>10}  result\n")
    for name, target, value, result in rows:
        stdout.write(f"{name.ljust(width)}  {target:>10}  {value:>10}  {result}\n")
    return rows


def main() -> None:
    """Standalone: migrate the database named by DATABASE_URL, then run."""
    import django

    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wangge_bench_rollup_1m")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    django.setup()
    from django.core.management import call_command

    began = time.monotonic()
    call_command("migrate", verbosity=0)
    sys.stdout.write(f"  migrate: {time.monotonic() - began:.1f} s\n")
    run(sys.stdout)


if __name__ == "__main__":
    main()
