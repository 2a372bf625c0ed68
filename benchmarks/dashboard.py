"""Dashboard benchmark on PostgreSQL: one million cases, then the server time of the dashboard
and of the case list, against their targets (300 ms and 150 ms).

The case list rows (``case_list_rows``): the web list, its search for a common word (井盖,
电梯故障: one case in 30), an absent one (油烟) and a common one 20 pages deep (the cursor), and
the API list plain, searched, and at its last paged page (page 20 of 50: the first 1,000
matches). Each row checks that its page holds the cases it should (a full page, or none for the
absent word) — a page that ran out of time would time nothing.

``run(stdout)`` expects Django set up on a migrated PostgreSQL database (``benchmarks.run`` calls
it). The fixture territory (3 sub-districts, 24 communities, 120 grids, 12 departments) and the
cases are written with ``INSERT … SELECT generate_series`` — benchmark fixture data, not a
lifecycle: it bypasses the actions on purpose. Re-running reuses the cases already there.

Each batch of 250,000 is written in filing order, as a case table filled over time is laid out:
the newest cases of a list then share pages. Written in random order, as this bench did before
2026-11-29, every case sat on a page of its own: the API's deepest numbered search page (a walk
over the 29,000 newest cases) read 26,000 pages from outside PostgreSQL's buffers and took 173 ms
at 10,000,000 cases; in filing order it reads about 1,400 and takes 69 ms. The batches of a
top-up interleave in time, so a big table is a few dozen runs, not one.

Standalone: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/wangge_bench_dashboard
python -m benchmarks.dashboard`` (creates and migrates that database if needed).
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from benchmarks.scale import case_sizes

N_CASES = case_sizes()[0]  # benchmarks.run sets it for each size of WANGGE_BENCH_CASES
DAYS = 730
DASHBOARD_TARGET_MS = 300
CASE_LIST_TARGET_MS = 150
PREFIX = "BENCH"

CATEGORIES = {
    "市容环境": ["占道经营", "乱堆乱放", "违规广告"],
    "环境卫生": ["垃圾清运", "公厕保洁", "道路保洁"],
    "市政设施": ["路灯损坏", "井盖缺失", "道路破损"],
    "园林绿化": ["树木修剪", "绿地损毁", "病虫害"],
    "交通管理": ["乱停车", "信号灯故障", "共享单车"],
    "噪声扰民": ["施工噪声", "商业噪声", "生活噪声"],
    "物业管理": ["电梯故障", "漏水维修", "物业服务"],
    "供水供暖": ["停水", "暖气不热", "管网漏水"],
    "安全隐患": ["消防通道", "电动车充电", "危房"],
    "民生服务": ["养老服务", "低保救助", "就业咨询"],
}
DEPARTMENTS = ["城管执法局", "环卫中心", "市政管理处", "园林绿化局", "交警大队", "生态环境局",
               "住建局", "水务集团", "应急管理局", "民政局", "街道平安办", "街道服务中心"]


def _rows(name: str, target: int, measured: float) -> tuple[str, str, str, str]:
    return name, f"< {target} ms", f"{measured:.0f} ms", "pass" if measured < target else "FAIL"


def build_territory():
    """The benchmark district (idempotent): returns (district, grids, categories, departments)."""
    from wangge.cases.actions import default_policy
    from wangge.cases.models import Category
    from wangge.org.choices import DepartmentKind, GridType, RegionLevel, Role
    from wangge.org.models import Department, Region, User
    from wangge.testing import add_region, make_user, square

    district = Region.objects.filter(code="bench-district").first()
    if district is None:
        city = Region.objects.filter(level=RegionLevel.CITY).first() or add_region(
            None, RegionLevel.CITY, "基准市", code="bench-city")
        district = add_region(city, RegionLevel.DISTRICT, "基准区", code="bench-district")
        for s in range(3):
            sub = add_region(district, RegionLevel.SUBDISTRICT, f"基准{'东西南'[s]}街道", code=f"bench-s{s}")
            for c in range(8):
                com = add_region(sub, RegionLevel.COMMUNITY, f"{'东西南'[s]}{c + 1}社区", code=f"bench-s{s}c{c}")
                for g in range(5):
                    add_region(com, RegionLevel.GRID, f"{'东西南'[s]}{c + 1}-{g + 1}网格", code=f"bench-s{s}c{c}g{g}",
                               grid_type=GridType.URBAN,
                               boundary=square(120.0 + ((s * 8 + c) % 12) * 0.01,
                                               30.0 + (((s * 8 + c) // 12) * 5 + g) * 0.01))
        for i, name in enumerate(DEPARTMENTS):
            Department.objects.get_or_create(code=f"bench-d{i}", defaults=dict(
                name=f"基准{name}", kind=DepartmentKind.DISTRICT, region=district))
        for i, (top, children) in enumerate(CATEGORIES.items()):
            parent = Category.objects.filter(code=f"bench-c{i}").first() or Category.objects.add_root(
                dict(name=top, code=f"bench-c{i}"))
            for j, child in enumerate(children):
                if not Category.objects.filter(code=f"bench-c{i}-{j}").exists():
                    Category.objects.add_child(parent, dict(
                        name=child, code=f"bench-c{i}-{j}",
                        default_department=Department.objects.get(code=f"bench-d{(i + j) % 12}")))
        default_policy()
        make_user(Role.LEADER, region=district, username="bench_leader")
        community = Region.objects.get(code="bench-s0c0")
        make_user(Role.COMMUNITY_SECRETARY, region=community, username="bench_secretary")
    grids = list(Region.objects.filter(level=RegionLevel.GRID, code__startswith="bench-s").order_by("code"))
    categories = list(Category.objects.filter(code__startswith="bench-c", depth=2).order_by("code"))
    return district, grids, categories, User.objects.get(username="bench_leader"), \
        User.objects.get(username="bench_secretary")


CASES_SQL = """
WITH base AS (
  SELECT g,
         now() - (random() * %(days)s) * interval '1 day' AS sub,
         1 + floor(random() * %(ngrids)s)::int AS gi,
         1 + floor(random() * %(ncats)s)::int AS ci,
         random() AS r_status, random() AS r_resp, random() AS r_res, random() AS r_sat, random() AS r_rate,
         random() AS r_ch
  FROM generate_series(%(first)s, %(last)s) g
), st AS (
  SELECT *, extract(epoch FROM now() - sub) / 86400 AS age,
    CASE
      WHEN extract(epoch FROM now() - sub) / 86400 > 10 THEN
        CASE WHEN r_status < 0.03 THEN 'rejected' WHEN r_status < 0.045 THEN 'in_progress'
             WHEN r_status < 0.13 THEN 'resolved' ELSE 'closed' END
      ELSE
        CASE WHEN r_status < 0.04 THEN 'submitted' WHEN r_status < 0.07 THEN 'rejected'
             WHEN r_status < 0.12 THEN 'accepted' WHEN r_status < 0.25 THEN 'dispatched'
             WHEN r_status < 0.50 THEN 'in_progress' WHEN r_status < 0.70 THEN 'resolved' ELSE 'closed' END
    END AS status
  FROM base
), t AS (
  SELECT *,
    CASE WHEN status IN ('submitted', 'rejected') THEN NULL
         ELSE sub + CASE WHEN r_resp < 0.965 THEN interval '40 seconds' ELSE interval '9 minutes' END END AS acc,
    CASE WHEN status IN ('resolved', 'closed')
         THEN sub + (r_res * CASE WHEN r_res < 0.93 THEN 4.5 ELSE 9 END) * interval '1 day' END AS res
  FROM st
)
INSERT INTO cases_case (
  number, channel, title, description, category_id, star, handling_type, current_level, status,
  region_id, grid_id, community_id, subdistrict_id, district_id, address, reporter_name, reporter_phone,
  reporter_anonymous, tracking_token, sla_policy_id, submitted_at, clock_started_at, accept_due_at,
  dispatch_due_at, resolve_due_at, deadline_provisional, light, breached_stage, suspended_from, paused_seconds,
  accepted_at, dispatched_at, resolved_at, closed_at, resolved_on_time, result, satisfaction, rating_comment,
  rated_at, reopen_count, escalation_count, urge_count, updated_at, source, external_id, idempotency_fingerprint,
  lead_department_id)
SELECT
  %(prefix)s || lpad(g::text, 10, '0'),
  (ARRAY['hotline','hotline','hotline','hotline','12345','12345','wechat','wechat','qr_page','patrol','patrol','web',
         'property','petition','department'])[1 + floor(r_ch * 15)::int],
  (%(catnames)s::text[])[ci] || '问题', '基准数据', (%(cats)s::bigint[])[ci], 1, 'general', 'subdistrict', status,
  (%(grids)s::bigint[])[gi], (%(grids)s::bigint[])[gi], (%(coms)s::bigint[])[gi], (%(subs)s::bigint[])[gi],
  %(district)s, '', '', '138' || lpad((g %% 100000000)::text, 8, '0'), false, md5('bench' || g::text),
  %(policy)s, sub, sub, sub + interval '1 minute', sub + interval '15 minutes', sub + interval '5 days', false,
  CASE WHEN status IN ('submitted','accepted','dispatched','in_progress')
       THEN CASE WHEN now() > sub + interval '5 days' THEN 'red' WHEN now() > sub + interval '4 days' THEN 'amber'
                 ELSE 'green' END
       ELSE 'none' END,
  '', '', 0,
  acc, CASE WHEN status IN ('dispatched','in_progress','resolved','closed') THEN acc + interval '6 minutes' END,
  res, CASE WHEN status = 'closed' THEN res + interval '1 day' END,
  CASE WHEN res IS NOT NULL THEN res <= sub + interval '5 days' END, '',
  CASE WHEN res IS NOT NULL AND r_rate < 0.7 THEN
       CASE WHEN r_sat < 0.82 THEN 'satisfied' WHEN r_sat < 0.95 THEN 'basically' ELSE 'unsatisfied' END
       ELSE '' END,
  '', CASE WHEN res IS NOT NULL AND r_rate < 0.7 THEN res + interval '2 hours' END, 0, 0, 0,
  LEAST(now(), COALESCE(res + interval '1 day', acc, sub)), '', '', '',
  CASE WHEN status IN ('dispatched','in_progress','resolved','closed') THEN (%(leads)s::bigint[])[ci] END
FROM t
ORDER BY sub
"""

ASSIGN_SQL = """
INSERT INTO cases_caseassignment (case_id, role, department_id, active, assigned_at)
SELECT c.id, 'lead', cat.default_department_id, true, c.dispatched_at
FROM cases_case c JOIN cases_category cat ON cat.id = c.category_id
WHERE c.number LIKE %(like)s AND c.dispatched_at IS NOT NULL AND c.id > %(after)s
"""


def insert_cases(n: int, out) -> float:
    """Top the benchmark district up to ``n`` cases; returns the seconds it took."""
    from django.db import connection, transaction

    from wangge.cases.actions import default_policy
    from wangge.cases.models import Case

    district, grids, categories, _leader, _secretary = build_territory()
    have = Case.objects.filter(number__startswith=PREFIX).count()
    if have >= n:
        return 0.0
    began = time.monotonic()
    params = dict(
        days=DAYS, ngrids=len(grids), ncats=len(categories), prefix=PREFIX, district=district.pk,
        policy=default_policy().pk, grids=[g.pk for g in grids],
        coms=[g.ancestor_at("community").pk for g in grids], subs=[g.ancestor_at("subdistrict").pk for g in grids],
        cats=[c.pk for c in categories], catnames=[c.name for c in categories],
        leads=[c.default_department_id for c in categories],
    )
    batch = 250_000
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
        after = cursor.fetchone()[0]
        for first in range(have + 1, n + 1, batch):
            with transaction.atomic():
                cursor.execute(CASES_SQL, {**params, "first": first, "last": min(n, first + batch - 1)})
            out.write(f"  … {min(n, first + batch - 1):,} cases\n")
        cursor.execute(ASSIGN_SQL, {"like": PREFIX + "%", "after": after})
        # As autovacuum would have by the time anyone looks: visibility map and statistics.
        cursor.execute("VACUUM ANALYZE cases_case")
        cursor.execute("VACUUM ANALYZE cases_caseassignment")
    return time.monotonic() - began


def _time_get(client, url: str, runs: int = 7, *, rows: int | None = None) -> float:
    """Median server time (ms) of GET ``url`` in-process (no network), after one warm-up.
    ``rows``: the page must hold that many cases (a list page that ran out of time, or an API
    page that is a 400, would time nothing worth reporting)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if rows is not None:
        shown = _rows_shown(response)
        assert shown == rows, (url, shown, rows)
    samples = []
    for _i in range(runs):
        began = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    return statistics.median(samples)


def _rows_shown(response) -> int:
    """The cases a list page shows: the API's results, or the web list's table rows (none, and
    no "takes too long", for a search that finds nothing)."""
    if response["Content-Type"].startswith("application/json"):
        return len(response.json()["results"])
    from django.utils import translation

    html = response.content.decode()
    with translation.override(response.get("Content-Language") or "zh-hans"):
        too_long = translation.gettext("This search takes too long. Narrow it down: add dates, a grid or a category.")
    assert too_long not in html, "the page ran out of time"
    return html.count('<tr class="light-row-')


def _deep_url(client, url: str, pages: int) -> tuple[str, int]:
    """(URL, pages followed) of the page ``pages`` pages after ``url``, by following the list's
    "older" links (the web list's cursor) — or of the deepest full page, when there are fewer
    (a page with an "older" link is full)."""
    import re
    from html import unescape
    from urllib.parse import urljoin

    followed = 0
    for _i in range(pages):
        found = re.search(r'href="([^"]*)" rel="next"', client.get(url).content.decode())
        if not found:
            break
        following = urljoin(url, unescape(found.group(1)))
        if not re.search(r'rel="next"', client.get(following).content.decode()) and followed + 1 < pages:
            break  # the next page is the last, maybe not full: measure this full one
        url, followed = following, followed + 1
    return url, followed


def _case_list_url() -> str:
    from django.urls import NoReverseMatch, reverse

    for name in ("web:case_list", "cases-api:case-list", "case-list"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/api/v1/cases/"


def case_list_rows(client) -> list[tuple[str, str, str, str]]:
    """The case list and its search, on the web and in the API, as ``client`` (the district
    leader) sees them."""
    rows = []
    case_list = _case_list_url()
    rows.append(_rows(f"case list {case_list}, district leader", CASE_LIST_TARGET_MS,
                      _time_get(client, case_list, rows=50)))
    # Free text: a two-character word in 1 case of 30, one in none, a longer one; each row a
    # full page of the newest matches (or the empty answer), not a page out of time.
    for term, what, shown in (("井盖", "2 characters, common", 50), ("油烟", "2 characters, absent", 0),
                              ("电梯故障", "4 characters, common", 50)):
        rows.append(_rows(f"case list, search {term} ({what})", CASE_LIST_TARGET_MS,
                          _time_get(client, f"{case_list}?q={term}", rows=shown)))
    deep, followed = _deep_url(client, f"{case_list}?q=井盖", 20)
    rows.append(_rows(f"case list, search 井盖, page {followed + 1} (cursor)", CASE_LIST_TARGET_MS,
                      _time_get(client, deep, rows=50)))
    rows.append(_rows("API /api/v1/cases/, district leader", CASE_LIST_TARGET_MS,
                      _time_get(client, "/api/v1/cases/", rows=50)))
    rows.append(_rows("API /api/v1/cases/?q=井盖", CASE_LIST_TARGET_MS,
                      _time_get(client, "/api/v1/cases/?q=井盖", rows=50)))
    # The deepest full page by number: the 20th (the last one paged past 1,000) on a big table.
    last = max(1, min(20, client.get("/api/v1/cases/?q=井盖").json()["count"] // 50))
    rows.append(_rows(f"API /api/v1/cases/?q=井盖&page={last} (the last paged)", CASE_LIST_TARGET_MS,
                      _time_get(client, f"/api/v1/cases/?q=井盖&page={last}", rows=50)))
    return rows


def drill_rows(client, leader) -> list[tuple[str, str, str, str]]:
    """穿透: the case list behind each number of the district leader's dashboard (last 90 days) —
    every headline figure, one territory's and one department's row of the rankings. Each page
    holds what the figure counts: min(50, its count), and never "takes too long"."""
    import re
    from html import unescape
    from urllib.parse import parse_qs, urlsplit

    from django.http import QueryDict

    from wangge.cases.filtersets import CaseFilterSet
    from wangge.dashboard.drill import Drill

    html = client.get("/dashboard/?period=last90").content.decode()
    links = [unescape(href) for href in re.findall(r'href="([^"]*[?&](?:amp;)?figure=[^"]*)"', html)]
    chosen: dict[str, str] = {}
    for url in links:
        query = parse_qs(urlsplit(url).query)
        figure = query["figure"][0]
        where = "territory" if "territory" in query else "lead_department" if "lead_department" in query else ""
        if where:  # a ranking row: its cases (filed) and one rate cell's shortfall, of one row each
            kind = "filed" if figure == "filed" else "shortfall"
            if any(k.startswith(f"{kind} ") and k.endswith(f"by {where}") for k in chosen):
                continue
            key = f"{kind} ({figure}) by {where}" if kind == "shortfall" else f"filed by {where}"
        else:
            key = figure
        chosen.setdefault(key, url)
    rows = []
    for key, url in chosen.items():
        params = QueryDict(urlsplit(url).query)
        # The list's own filters (the period's dates) over the figure's cases: what the page shows.
        cases = CaseFilterSet(params, queryset=Drill.from_params(leader, params).cases()).qs
        expected = cases.order_by()[:50].count()
        rows.append(_rows(f"穿透 list: {key}", CASE_LIST_TARGET_MS, _time_get(client, url, rows=expected)))
    return rows


def _bench_user(username: str, role: str, *, region: str | None = None, department: str | None = None):
    """A bench user of one territory node or department (by code): created on first use, so that
    a database built before its row existed gets one too."""
    from wangge.org.models import Department, Region, User
    from wangge.testing import make_user

    user = User.objects.filter(username=username).first()
    return user or make_user(role, username=username,
                             region=Region.objects.get(code=region) if region else None,
                             department=Department.objects.get(code=department) if department else None)


def _grid_worker():
    """The grid worker of one grid (one case in 120)."""
    from wangge.org.choices import Role

    return _bench_user("bench_worker", Role.GRID_WORKER, region="bench-s0c0g0")


def workbench_rows(client, users: dict) -> list[tuple[str, str, str, str]]:
    """The first page each role opens (工作台, ``/``): its queues, cards and standing numbers
    (全部在办, 督办), which must not count or sort a city's every open case."""
    rows = []
    for who, user in users.items():
        client.force_login(user)
        rows.append(_rows(f"workbench /, {who}", DASHBOARD_TARGET_MS, _time_get(client, "/")))
    return rows


def scoped_list_rows(client, user, who: str) -> list[tuple[str, str, str, str]]:
    """The case list and a common word's search as a user of a small territory sees them (a
    community: one case in 24; a grid: one in 120) — their own territory's newest cases, not
    the city's walked through. Each page full, or as full as the territory allows."""
    from wangge.cases.search import contains_q
    from wangge.cases.selectors import cases_visible_to

    case_list = _case_list_url()
    found = cases_visible_to(user).filter(contains_q("井盖")).order_by()[:50].count()
    return [
        _rows(f"case list, {who}", CASE_LIST_TARGET_MS, _time_get(client, case_list, rows=50)),
        _rows(f"case list, search 井盖, {who}", CASE_LIST_TARGET_MS,
              _time_get(client, f"{case_list}?q=井盖", rows=found)),
    ]


def run(stdout=sys.stdout) -> list[tuple[str, str, str, str]]:
    """Build the data, time the pages, print and return rows (name, target, measured, pass/fail)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from wangge.cases.models import Case
    from wangge.dashboard.rollup import refresh_stats
    from wangge.org.models import Department, Region

    if connection.vendor != "postgresql":
        stdout.write("dashboard bench: needs PostgreSQL (skipped)\n")
        return []
    stdout.write(f"dashboard bench: {N_CASES:,} cases on PostgreSQL\n")
    seconds = insert_cases(N_CASES, stdout)
    if seconds:
        stdout.write(f"  inserted cases in {seconds:.1f} s\n")
    full = refresh_stats(full=True)
    with connection.cursor() as cursor:  # the rebuild replaced every row: vacuum, as autovacuum would
        cursor.execute("VACUUM ANALYZE dashboard_dailycasestats")
    stdout.write(f"  full rollup rebuild: {full.ms / 1000:.1f} s over {full.days} days\n")
    # A day's worth of changes, then an incremental refresh (what the periodic task does).
    recent = list(Case.objects.filter(number__startswith=PREFIX).order_by("-submitted_at")
                  .values_list("pk", flat=True)[:1500])
    Case.objects.filter(pk__in=recent).update(updated_at=timezone.now())  # fixture data, not a state change
    incremental = refresh_stats()

    _d, _g, _c, leader, secretary = build_territory()
    rows = [("dashboard rollup refresh (1,500 changed cases)", "< 5000 ms", f"{incremental.ms} ms",
             "pass" if incremental.ms < 5000 else "FAIL")]
    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
        client = Client()
        client.force_login(leader)
        rows.append(_rows("dashboard, district leader, this month", DASHBOARD_TARGET_MS, _time_get(client, "/dashboard/")))
        rows.append(_rows("dashboard, district leader, last 90 days", DASHBOARD_TARGET_MS,
                          _time_get(client, "/dashboard/?period=last90")))
        grid = Region.objects.get(code="bench-s1c3g2")
        rows.append(_rows("dashboard, district leader, one grid, last 90 days", DASHBOARD_TARGET_MS,
                          _time_get(client, f"/dashboard/?period=last90&region={grid.pk}")))
        department = Department.objects.get(code="bench-d3")
        rows.append(_rows("dashboard, district leader, one department, last 90 days", DASHBOARD_TARGET_MS,
                          _time_get(client, f"/dashboard/?period=last90&department={department.pk}")))
        rows += case_list_rows(client)
        rows += drill_rows(client, leader)
        client.force_login(secretary)
        rows.append(_rows("dashboard, community secretary, last 90 days", DASHBOARD_TARGET_MS,
                          _time_get(client, "/dashboard/?period=last90")))
        rows += scoped_list_rows(client, secretary, "community secretary")
        worker = _grid_worker()
        client.force_login(worker)
        rows += scoped_list_rows(client, worker, "grid worker")
        from wangge.org.choices import Role

        rows += workbench_rows(client, {
            "district leader": leader, "community secretary": secretary, "grid worker": worker,
            "sub-district clerk": _bench_user("bench_clerk", Role.INTAKE_CLERK, region="bench-s0"),
            "department officer": _bench_user("bench_officer", Role.DEPARTMENT_OFFICER, department="bench-d3"),
        })
    width = max(len(r[0]) for r in rows)
    stdout.write(f"{'name'.ljust(width)}  {'target':>10}  {'measured':>10}  result\n")
    for name, target, measured, result in rows:
        stdout.write(f"{name.ljust(width)}  {target:>10}  {measured:>10}  {result}\n")
    return rows


def main() -> None:
    """Standalone: create and migrate the database named by DATABASE_URL, then run."""
    import django
    import psycopg

    url = os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wangge_bench_dashboard")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    run(sys.stdout)


if __name__ == "__main__":
    main()
