"""Patrols benchmark (巡查): the worker's "due today" page and the district's compliance figures.

``run(out)`` expects Django set up on a migrated PostgreSQL database (``benchmarks.run`` calls it)
and returns rows (name, target, measured, pass/fail/—):

1. "due today" — ``GET /patrols/`` (the phone page, with the phone's position: nearest first) of a
   grid worker whose grid has 500 points (300 daily, 150 weekly, 50 monthly) and a year of
   check-ins behind them (~100,000 check-ins, ~120,000 slots). Median of 30 requests through
   the Django test client (server time: view, queries, template). Target under 150 ms.
2. the compliance figures of a whole district — 24 communities × 20 grids = 480 grids, 10 points
   each (the big grid above among them), a year of slots and check-ins (~1.1 million slots,
   ~0.9 million check-ins) — for the district leader, per grid: ``figures.compliance`` for this
   month (the page's default) and, for information, the whole year. Target under 500 ms.

The rows are fixture data: the territory and people through the factories, points through
``bulk_create``, and the year of slots and check-ins written with ``COPY`` (the check-ins
themselves go through ``actions.check_in`` in the app's tests; 900,000 of them would take an
hour through it). Each point is visited in 85 % of its windows, at a random time inside it.

Standalone, on its own database (dropped and re-created):
``WANGGE_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m benchmarks.patrols``
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
import uuid

DUE_TARGET_MS = 150
FIGURES_TARGET_MS = 500
COMMUNITIES, GRIDS_PER_COMMUNITY, SUBDISTRICTS = 24, 20, 4
POINTS_PER_GRID = (5, 3, 2)  # daily, weekly, monthly
BIG_GRID = (300, 150, 50)
VISITED = 0.85
SEED = 20261129


def _row(name, target, measured, passed):
    return name, target, measured, "—" if passed is None else "pass" if passed else "FAIL"


def build(out) -> dict:
    """The district, its people, its points, and a year of slots and check-ins."""
    from django.db import connection

    from wangge.org.choices import GridType, RegionLevel, Role
    from wangge.org.models import RoleAssignment, User
    from wangge.patrols.choices import Frequency, PointClass, SlotStatus
    from wangge.patrols.models import CheckIn, PatrolPoint, VisitSlot
    from wangge.patrols.windows import SHANGHAI, today, windows_between
    from wangge.testing.factories import add_region

    started = time.monotonic()
    rng = random.Random(SEED)
    city = add_region(None, RegionLevel.CITY, "基准市", code="pb-city")
    district = add_region(city, RegionLevel.DISTRICT, "基准区", code="pb-d")
    subdistricts = [add_region(district, RegionLevel.SUBDISTRICT, f"街道{s}", code=f"pb-s{s}") for s in range(SUBDISTRICTS)]
    grids = []  # (grid, community, subdistrict)
    for c in range(COMMUNITIES):
        sub = subdistricts[c % SUBDISTRICTS]
        community = add_region(sub, RegionLevel.COMMUNITY, f"社区{c:02d}", code=f"pb-s{c % SUBDISTRICTS}-c{c:02d}")
        for g in range(GRIDS_PER_COMMUNITY):
            grid = add_region(community, RegionLevel.GRID, f"社区{c:02d}网格{g:02d}", code=f"pb-c{c:02d}-g{g:02d}",
                              grid_type=GridType.URBAN)
            grids.append((grid, community, sub))
    out.write(f"  territory: {len(grids)} grids in {time.monotonic() - started:.1f} s\n")
    # Tree paths may have moved while siblings were inserted: read the nodes back.
    from wangge.org.models import Region

    fresh = Region.objects.in_bulk([n.pk for trio in grids for n in trio] + [district.pk])
    grids = [(fresh[g.pk], fresh[c.pk], fresh[s.pk]) for g, c, s in grids]
    district = fresh[district.pk]

    users = User.objects.bulk_create([User(username=f"pb-worker-{i:03d}", display_name=f"网格员{i:03d}")
                                      for i in range(len(grids))])
    RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=Role.GRID_WORKER, region=g)
                                        for u, (g, _c, _s) in zip(users, grids, strict=True)])
    leader = User.objects.create(username="pb-leader", display_name="区领导")
    RoleAssignment.objects.create(user=leader, role=Role.LEADER, region=district)

    year_start = today() - dt.timedelta(days=365)
    classes = {Frequency.DAILY: PointClass.SMALL_SHOP, Frequency.WEEKLY: PointClass.MARKET,
               Frequency.MONTHLY: PointClass.SCHOOL}
    points = []
    for i, (grid, community, sub) in enumerate(grids):
        counts = BIG_GRID if i == 0 else POINTS_PER_GRID
        for frequency, n in zip((Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY), counts, strict=True):
            for k in range(n):
                points.append(PatrolPoint(
                    name=f"{grid.name}{frequency}{k}", point_class=classes[frequency], frequency=frequency,
                    latitude=39.9 + rng.random() * 0.01, longitude=116.3 + rng.random() * 0.01,
                    plate_token=uuid.UUID(int=rng.getrandbits(128)).hex[:24], active_from=year_start,
                    grid=grid, community=community, subdistrict=sub, district=district))
    points = PatrolPoint.objects.bulk_create(points, batch_size=5000)
    worker_of = {g.pk: u.pk for u, (g, _c, _s) in zip(users, grids, strict=True)}
    out.write(f"  {len(points)} points\n")

    now_day = today()
    slot_rows, checkin_rows = [], []
    slot_id = checkin_id = 0
    received = dt.datetime.now(dt.timezone.utc)
    for p in points:
        for start, end in windows_between(p.frequency, year_start, now_day):
            slot_id += 1
            closed = end < now_day
            visited = rng.random() < VISITED if closed else False
            status, done_at, cid = SlotStatus.MISSED if closed else SlotStatus.OPEN, None, None
            if visited:
                checkin_id += 1
                day = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
                at = dt.datetime.combine(day, dt.time(8 + rng.randrange(10), rng.randrange(60)), tzinfo=SHANGHAI)
                status, done_at, cid = SlotStatus.DONE, at, checkin_id
                checkin_rows.append((checkin_id, uuid.UUID(int=rng.getrandbits(128)), p.pk, slot_id,
                                     worker_of[p.grid_id], at, received, p.latitude, p.longitude, 10.0, "gps", 12.0,
                                     False, False, "", p.grid_id, p.community_id, p.subdistrict_id, p.district_id))
            slot_rows.append((slot_id, p.pk, p.frequency, start, end, status, cid, done_at, "", p.grid_id,
                              p.community_id, p.subdistrict_id, p.district_id))
    out.write(f"  generated {len(slot_rows)} slots and {len(checkin_rows)} check-ins "
              f"in {time.monotonic() - started:.1f} s; copying\n")
    slot_cols = ["id", "point_id", "frequency", "window_start", "window_end", "status", "checkin_id", "done_at",
                 "cancel_reason", "grid_id", "community_id", "subdistrict_id", "district_id"]
    checkin_cols = ["id", "client_id", "point_id", "slot_id", "worker_id", "client_time", "received_at", "latitude",
                    "longitude", "accuracy", "presence", "distance_m", "is_far", "is_late", "notes", "grid_id",
                    "community_id", "subdistrict_id", "district_id"]
    # Rows reach the tables in time order, as they do in use (slots made ahead day by day,
    # check-ins as they are made).
    checkin_rows.sort(key=lambda r: r[5])
    slot_rows.sort(key=lambda r: (r[4], r[0]))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        raw = cursor.cursor
        # The slot → check-in key is filled after both are in (it points forward).
        with raw.copy(f"COPY {CheckIn._meta.db_table} ({', '.join(checkin_cols)}) FROM STDIN") as copy:
            for row in checkin_rows:
                copy.write_row(row[:3] + (None,) + row[4:])
        with raw.copy(f"COPY {VisitSlot._meta.db_table} ({', '.join(slot_cols)}) FROM STDIN") as copy:
            for row in slot_rows:
                copy.write_row(row)
        cursor.execute(f"UPDATE {CheckIn._meta.db_table} c SET slot_id = s.id FROM {VisitSlot._meta.db_table} s "
                       f"WHERE s.checkin_id = c.id")
        for model in (CheckIn, VisitSlot):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute(f"ANALYZE {PatrolPoint._meta.db_table}")
    # As autovacuum would after a bulk load (visibility map and statistics).
    connection.ensure_connection()
    with connection.cursor() as cursor:
        for model in (CheckIn, VisitSlot):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    out.write(f"  data ready in {time.monotonic() - started:.1f} s\n")
    big = grids[0][0]
    return {"worker": users[0], "leader": leader, "big_grid": big,
            "point": next(p for p in points if p.grid_id == big.pk)}


def _median_ms(fn, n: int) -> float:
    fn()  # warm
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def run(out) -> list:
    from django.db import connection

    if connection.vendor != "postgresql":
        out.write("patrols bench needs PostgreSQL (skipped)\n")
        return []
    from django.test import Client

    from wangge.patrols.figures import By, compliance
    from wangge.patrols.windows import today

    data = build(out)
    client = Client()
    client.force_login(data["worker"])
    point = data["point"]

    def due_page():
        response = client.get("/patrols/", {"lat": point.latitude, "lng": point.longitude})
        assert response.status_code == 200, response.status_code
        return response

    page = due_page().content.decode()
    shown = page.count('data-testid="due-visit"')
    due_ms = _median_ms(due_page, 30)

    def whole_list():
        return client.get("/patrols/", {"lat": point.latitude, "lng": point.longitude, "all": "1"})

    all_shown = whole_list().content.decode().count('data-testid="due-visit"')
    all_ms = _median_ms(whole_list, 10)
    out.write(f"  due today: {shown} nearest of the due visits on the page, median {due_ms:.1f} ms; "
              f"all {all_shown} listed: {all_ms:.1f} ms\n")

    leader = data["leader"]
    last = today()
    month = lambda: compliance(leader, first=last.replace(day=1), last=last, by=By.GRID)  # noqa: E731
    year = lambda: compliance(leader, first=last - dt.timedelta(days=365), last=last, by=By.GRID)  # noqa: E731
    rows = month().rows
    month_ms = _median_ms(month, 10)
    year_ms = _median_ms(year, 5)
    out.write(f"  figures: {len(rows)} grid rows; month {month_ms:.0f} ms, year {year_ms:.0f} ms\n")
    return [
        _row("patrols: worker's due-today page, 500 points, a year of check-ins (median)", f"< {DUE_TARGET_MS} ms",
             f"{due_ms:.0f} ms", due_ms < DUE_TARGET_MS),
        _row("patrols: due-today page with all 500 listed (?all=1, median)", "—", f"{all_ms:.0f} ms", None),
        _row("patrols: district compliance figures, 480 grids, this month (median)", f"< {FIGURES_TARGET_MS} ms",
             f"{month_ms:.0f} ms", month_ms < FIGURES_TARGET_MS),
        _row("patrols: district compliance figures, 480 grids, whole year (median)", f"< {FIGURES_TARGET_MS} ms",
             f"{year_ms:.0f} ms", year_ms < FIGURES_TARGET_MS),
    ]


def main() -> None:
    from benchmarks.run import run_alone

    run_alone(run, "wangge_bench_patrols")


if __name__ == "__main__":
    main()
