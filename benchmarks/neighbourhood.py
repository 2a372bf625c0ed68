"""三问三联三评 benchmark at S4's scale (Hongcheng: 79 grid chiefs, 578 building chiefs, 2,043 unit
chiefs, 220 resources, ~3,900 services a year).

``run(out)`` expects Django set up on a migrated PostgreSQL database (``benchmarks.run`` calls it)
and returns rows (name, target, measured, pass/fail/—):
1. the coverage report of one community (which buildings and units have no chief — one query),
   p50 over the 8 communities: target under 200 ms;
2. the matcher's proposals for a need (class, place, tier, distance over 220 resources), p50 of
   50 needs: target under 100 ms;
3. the quarter's scores of the whole sub-district (what a publication snapshots), over ~3,000
   ratings and the follow-ups, p50 of 3: target under 2 s;
4. the dashboard tab's figures for the sub-district's leader: target under 2 s.
Territory, chiefs, households, resources, services and ratings are benchmark fixture data
written with ``bulk_create`` (setup, not a state change); everything measured runs the real code.

Standalone, on its own database (dropped and re-created):
``WANGGE_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m benchmarks.neighbourhood``
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time

COMMUNITIES, GRIDS_PER, BUILDINGS, UNITS, RESOURCES, SERVICES = 8, 10, 578, 2043, 220, 3927
COVERAGE_TARGET_MS, MATCH_TARGET_MS, SCORES_TARGET_S, FIGURES_TARGET_S = 200.0, 100.0, 2.0, 2.0
SEED = 20261129
# What resources offer and what needs ask, as the matcher reads them (words found in the text).
OFFERS = ["代买、米、面、油、粮、送货上门", "理发、上门理发", "家电、维修、修理、水龙头", "助餐、送餐、做饭",
          "陪护、陪诊、聊天、探访", "法律、咨询、纠纷、调解", "看护、托管、作业", "培训、就业、技能", ""]
NEED_TEXTS = ["腿脚不便，需要代买米面油", "老人想理发但出不了门", "想请人上门修理水龙头", "独居老人需要定期助餐送餐",
              "房屋租赁纠纷需要法律咨询", "双职工家庭放学后孩子无人看护", "失业人员想参加技能培训", "压测需求"]


def _row(name, target, measured, passed):
    return name, target, measured, "—" if passed is None else "pass" if passed else "FAIL"


def _setup(out):
    from django.utils import timezone

    from wangge.neighbourhood import selectors
    from wangge.neighbourhood.choices import ChiefKind, ResourceTier
    from wangge.neighbourhood.models import (
        Chief,
        Need,
        NeedClass,
        Rating,
        Resource,
        ServiceRecord,
    )
    from wangge.org.choices import GridType, RegionLevel, Role
    from wangge.org.models import Region, RoleAssignment, User
    from wangge.residents.models import Household
    from wangge.testing.factories import add_region, square

    rng = random.Random(SEED)
    started = time.monotonic()
    root = Region.objects.filter(level=RegionLevel.CITY).order_by("pk").first() or add_region(
        None, RegionLevel.CITY, "压测市")
    district = add_region(root, RegionLevel.DISTRICT, "压测区")
    subdistrict = add_region(district, RegionLevel.SUBDISTRICT, "压测鸿城街道")
    leader = User.objects.create_user(username="bench-nb-leader", password="pw")
    RoleAssignment.objects.create(user=leader, role=Role.LEADER, region=subdistrict)
    communities, grids = [], []
    for c in range(COMMUNITIES):
        community = add_region(subdistrict, RegionLevel.COMMUNITY, f"压测社区{c}")
        communities.append(community)
        for g in range(GRIDS_PER):
            grids.append(add_region(community, RegionLevel.GRID, f"压测网格{c}-{g}", grid_type=GridType.URBAN,
                                    boundary=square(125.3 + 0.01 * g, 43.8 + 0.01 * c)))
    buildings = [add_region(grids[b % len(grids)], RegionLevel.BUILDING, f"{b}号楼") for b in range(BUILDINGS)]
    units = [add_region(buildings[u % BUILDINGS], RegionLevel.UNIT, f"{u}单元") for u in range(UNITS)]
    places = Region.objects.in_bulk([p.pk for p in [*grids, *buildings, *units]])  # paths as stored
    now = timezone.now()
    term = (now - dt.timedelta(days=400)).date()
    users = User.objects.bulk_create([User(username=f"bench-nb-chief-{i}", password="!")
                                      for i in range(len(grids) + BUILDINGS + UNITS)], batch_size=2000)
    chiefs = []
    kinds = {RegionLevel.GRID: ChiefKind.GRID, RegionLevel.BUILDING: ChiefKind.BUILDING, RegionLevel.UNIT: ChiefKind.UNIT}
    community_of = {}
    for region in places.values():
        community_of[region.pk] = next(c for c in communities if region.path.startswith(c.path))
    for i, region in enumerate(places.values()):
        if region.level == RegionLevel.UNIT and rng.random() < 0.1:
            continue  # ~10 % of the units without a chief
        chiefs.append(Chief(kind=kinds[region.level], region=region, community=community_of[region.pk], user=users[i],
                            name=f"压测{i}", selection_method="self", term_start=term, appointed_by=leader))
    Chief.objects.bulk_create(chiefs, batch_size=2000)
    unit_chief = {c.region_id: c for c in chiefs if c.kind == ChiefKind.UNIT}
    households = Household.objects.bulk_create([Household(unit=u, room=f"{r}01") for u in units for r in (1, 2, 3)],
                                               batch_size=5000)
    classes = list(NeedClass.objects.all())
    resources = Resource.objects.bulk_create([
        Resource(name=f"压测资源{i}", provider="压测", tier=rng.choice(ResourceTier.values), offers=rng.choice(OFFERS),
                 area=rng.choice([subdistrict, *communities]), created_by=leader,
                 longitude=125.3 + rng.random() * 0.1, latitude=43.8 + rng.random() * 0.08) for i in range(RESOURCES)])
    Through = Resource.classes.through
    Through.objects.bulk_create([Through(resource_id=r.pk, needclass_id=c.pk) for r in resources
                                 for c in rng.sample(classes, 3)])
    start, _end = selectors.quarter_bounds(*_last_quarter(now))
    services, ratings = [], []
    households_with_chief = [h for h in households if h.unit_id in unit_chief]
    for i in range(SERVICES):
        hh = rng.choice(households_with_chief)
        chief = unit_chief[hh.unit_id]
        res = rng.choice(resources)
        services.append(ServiceRecord(resource=res, chief=chief, household=hh, description="压测服务",
                                      served_at=start + dt.timedelta(hours=rng.randrange(0, 24 * 88)), tier=res.tier,
                                      need_class=rng.choice(classes), region=places[hh.unit_id],
                                      community=chief.community, recorded_by=leader))
    ServiceRecord.objects.bulk_create(services, batch_size=2000)
    for s in services:
        if rng.random() < 0.78:
            ratings.append(Rating(service=s, household=s.household, chief=s.chief, resource=s.resource,
                                  service_score=rng.randint(2, 5), chief_score=rng.randint(3, 5),
                                  rated_at=s.served_at + dt.timedelta(hours=2)))
    Rating.objects.bulk_create(ratings, batch_size=2000)
    needs = Need.objects.bulk_create([
        Need(need_class=rng.choice(classes), description=rng.choice(NEED_TEXTS), source="door", region=places[u.pk],
             community=community_of[u.pk], chief=unit_chief.get(u.pk), household_count=1)
        for u in rng.sample(units, 400)], batch_size=2000)
    out.write(f"neighbourhood: {len(places)} places, {len(chiefs)} chiefs, {len(resources)} resources, "
              f"{len(services)} services, {len(ratings)} ratings (setup {time.monotonic() - started:.0f} s)\n")
    return leader, subdistrict, communities, needs


def _last_quarter(now):
    from django.utils import timezone

    local = timezone.localtime(now)
    q = (local.month - 1) // 3 + 1
    return (local.year, q - 1) if q > 1 else (local.year - 1, 4)


def _ms(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def run(out) -> list[tuple]:
    from django.utils import timezone

    from wangge.neighbourhood import selectors

    leader, subdistrict, communities, needs = _setup(out)
    rows = []
    coverage = [_ms(lambda c=c: selectors.coverage(c)) for c in communities]
    p50 = statistics.median(coverage)
    rows.append(_row("neighbourhood: coverage of one community (p50)", f"< {COVERAGE_TARGET_MS:.0f} ms",
                     f"{p50:.0f} ms", p50 < COVERAGE_TARGET_MS))
    match = [_ms(lambda n=n: selectors.propose_resources(leader, n)) for n in needs[:50]]
    p50 = statistics.median(match)
    rows.append(_row("neighbourhood: matcher proposals for a need (p50)", f"< {MATCH_TARGET_MS:.0f} ms",
                     f"{p50:.0f} ms", p50 < MATCH_TARGET_MS))
    year, quarter = _last_quarter(timezone.now())
    scores = [_ms(lambda: selectors.quarter_scores(subdistrict, year, quarter, 3)) / 1000 for _ in range(3)]
    p50 = statistics.median(scores)
    rows.append(_row("neighbourhood: a quarter's scores, whole sub-district (p50)", f"< {SCORES_TARGET_S:.0f} s",
                     f"{p50:.2f} s", p50 < SCORES_TARGET_S))
    figures = _ms(lambda: selectors.figures(leader)) / 1000
    rows.append(_row("neighbourhood: dashboard figures for the leader", f"< {FIGURES_TARGET_S:.0f} s",
                     f"{figures:.2f} s", figures < FIGURES_TARGET_S))
    for row in rows:
        out.write("  ".join(row) + "\n")
    return rows


def main() -> None:
    from benchmarks.run import run_alone

    run_alone(run, "wangge_bench_neighbourhood")


if __name__ == "__main__":
    main()
