"""Key-person benchmark (重点人员 六访): a sub-district of 200 grids with 20 key persons each
(4,000) and a year of monthly visits (~40,000, some months missed).

``run(out)`` expects Django set up on a migrated PostgreSQL database (``benchmarks.run`` calls it)
and returns rows (name, target, measured, pass/fail/—):
1. a grid worker's phone page "my key persons" for their whole grid (``/keypersons/?all=1``,
   server time through the test client, p50 of 20): target under 150 ms;
2. the monthly coverage of the whole sub-district for its leader (``selectors.coverage``, per
   community, p50 of 5): target under 500 ms;
3. the overdue sweep over every person (``actions.notify_overdue``, notices written): target
   under 10 s.
The persons and visits are benchmark fixture data written with ``bulk_create`` (setup, not a
state change); everything measured runs the real code paths.

Standalone, on its own database (dropped and re-created):
``WANGGE_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m benchmarks.keypersons``
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time

COMMUNITIES, GRIDS_PER, PERSONS_PER = 20, 10, 20
PAGE_TARGET_MS, COVERAGE_TARGET_MS, SWEEP_TARGET_S = 150.0, 500.0, 10.0
SEED = 20261129


def _row(name, target, measured, passed):
    return name, target, measured, "—" if passed is None else "pass" if passed else "FAIL"


def _setup(out):
    from django.utils import timezone

    from wangge.keypersons.models import KeyPerson, KeyPersonTag, Visit
    from wangge.org.choices import GridType, RegionLevel, Role
    from wangge.org.models import Region, RoleAssignment, User
    from wangge.testing.factories import add_region

    rng = random.Random(SEED)
    root = Region.objects.filter(level=RegionLevel.CITY).order_by("pk").first() or add_region(
        None, RegionLevel.CITY, "压测市")
    district = add_region(root, RegionLevel.DISTRICT, "压测区")
    subdistrict = add_region(district, RegionLevel.SUBDISTRICT, "压测街道")
    leader = User.objects.create_user(username="bench-kp-leader", password="pw")
    RoleAssignment.objects.create(user=leader, role=Role.LEADER, region=subdistrict)
    tags = list(KeyPersonTag.objects.all()) or [KeyPersonTag.objects.create(code="other", name="其他重点人员")]
    now = timezone.now()
    registered = now - dt.timedelta(days=400)
    persons, workers = [], []
    for c in range(COMMUNITIES):
        community = add_region(subdistrict, RegionLevel.COMMUNITY, f"压测社区{c}")
        for g in range(GRIDS_PER):
            grid = add_region(community, RegionLevel.GRID, f"压测网格{c}-{g}", grid_type=GridType.URBAN)
            worker = User.objects.create_user(username=f"bench-kp-w{c}-{g}", password=None)
            chief = User.objects.create_user(username=f"bench-kp-c{c}-{g}", password=None)
            RoleAssignment.objects.create(user=worker, role=Role.GRID_WORKER, region=grid)
            RoleAssignment.objects.create(user=chief, role=Role.GRID_CHIEF, region=grid)
            workers.append(worker)
            for i in range(PERSONS_PER):
                persons.append(KeyPerson(grid=grid, community=community, subdistrict=subdistrict, worker=worker,
                                         name=f"压测{i}", phone=f"139{rng.randrange(10**8):08d}",
                                         registered_at=registered))
    KeyPerson.objects.bulk_create(persons, batch_size=2000)
    Through = KeyPerson.tags.through
    Through.objects.bulk_create([Through(keyperson_id=p.pk, keypersontag_id=rng.choice(tags).pk) for p in persons],
                                batch_size=5000)
    visits = []
    for p in persons:
        for month in range(12):
            if rng.random() < 0.15:
                continue
            at = now - dt.timedelta(days=30 * month + rng.randrange(0, 28), hours=rng.randrange(0, 10))
            visits.append(Visit(key_person=p, worker_id=p.worker_id, grid_id=p.grid_id, community_id=p.community_id,
                                visited_at=at, found="压测走访"))
    Visit.objects.bulk_create(visits, batch_size=5000)
    out.write(f"keypersons: {len(persons)} persons, {len(visits)} visits in {COMMUNITIES * GRIDS_PER} grids\n")
    return leader, workers[0]


def run(out) -> list[tuple]:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from wangge.keypersons import actions, selectors

    leader, worker = _setup(out)
    connection.cursor().execute("ANALYZE")
    rows = []

    client = Client()
    client.force_login(worker)
    client.get("/keypersons/?all=1")  # warm
    times = []
    for _ in range(20):
        t = time.perf_counter()
        response = client.get("/keypersons/?all=1")
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
    p50 = statistics.median(times)
    rows.append(_row(f"key persons: worker's due page ({PERSONS_PER} persons)", f"< {PAGE_TARGET_MS:.0f} ms",
                     f"{p50:.0f} ms", p50 < PAGE_TARGET_MS))

    today = timezone.localdate()
    times = []
    for _ in range(5):
        t = time.perf_counter()
        _r, total = selectors.coverage(leader, year=today.year, month=today.month, by="community")
        times.append((time.perf_counter() - t) * 1000)
    p50 = statistics.median(times)
    rows.append(_row(f"key persons: sub-district monthly coverage ({total.expected} due)",
                     f"< {COVERAGE_TARGET_MS:.0f} ms", f"{p50:.0f} ms", p50 < COVERAGE_TARGET_MS))

    t = time.perf_counter()
    sent = actions.notify_overdue()
    seconds = time.perf_counter() - t
    rows.append(_row(f"key persons: overdue sweep ({sent} notices)", f"< {SWEEP_TARGET_S:.0f} s", f"{seconds:.1f} s",
                     seconds < SWEEP_TARGET_S))
    return rows


def main() -> None:
    from benchmarks.run import run_alone

    run_alone(run, "wangge_bench_keypersons")


if __name__ == "__main__":
    main()
