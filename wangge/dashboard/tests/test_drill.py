"""穿透: every number of the dashboard opens the case list of exactly the cases it counted."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone

from wangge.cases import actions
from wangge.dashboard.drill import trend_point_link
from wangge.dashboard.metrics import RATES_BY_KEY
from wangge.dashboard.selectors import trend_by_day, trend_by_month
from wangge.testing import file_case, make_category

from .conftest import wide_period


def _listed(client, url: str) -> set[str]:
    """The numbers of the cases the case list at ``url`` shows (one page holds them all here)."""
    response = client.get(url)
    assert response.status_code == 200
    page = response.context["page"]
    numbers = {case.number for case in page.rows}
    assert page.count == len(numbers)
    return numbers


def _co_handled_by_chengguan(world):
    """Led by 环卫, 城管 assisting: the 城管 row of the ranking does not count it."""
    clerk = world.users["clerk"]
    case = actions.accept_case(case=file_case(world, category=make_category("垃圾清运")), actor=clerk)
    return actions.dispatch_case(case=case, actor=clerk, lead=actions.Target(department=world.departments["huanwei"]),
                                 co_handlers=[actions.Target(department=world.departments["chengguan"])])


def test_every_number_opens_as_many_cases_as_it_shows(cases, world, client):
    co_handled = _co_handled_by_chengguan(world)
    client.force_login(world.users["leader"])
    ctx = client.get("/dashboard/", wide_period()).context

    expected = {ctx["links"]["filed"]: ctx["summary"]["filed"], ctx["links"]["open"]: ctx["summary"]["open"],
                ctx["links"]["supervise"]: ctx["overdue_total"]}
    for r in ctx["rates"]:
        expected[r["links"]["numerator"]] = r["numerator"]
        expected[r["links"]["denominator"]] = r["denominator"]
        expected[r["links"]["shortfall"]] = r["denominator"] - r["numerator"]
    for rows in (ctx["communities"], ctx["grids_shown"], ctx["departments"]):
        for row in rows:
            expected[row["link"]] = row["filed"]
            for cell in row["rate_cells"]:
                rate = RATES_BY_KEY[cell["key"]]
                expected[cell["link"]] = row[rate.denominator] - row[rate.numerator]
    assert ctx["summary"]["filed"] == 10 and all(r["denominator"] > r["numerator"] for r in ctx["rates"])

    for url, number in expected.items():
        assert len(_listed(client, url)) == number, url

    # The cases themselves, not only their count: the rates' shortfalls are the cases that
    # pulled them down (c7 resolved late, c8 rated 不满意, c4 never accepted and c6 accepted late).
    by_figure = {parse_qs(urlsplit(u).query)["figure"][0]: u for u in expected if "territory" not in u
                 and "lead_department" not in u}
    assert _listed(client, by_figure["late"]) == {cases["c7"].number}
    assert _listed(client, by_figure["unsatisfied"]) == {cases["c8"].number}
    assert _listed(client, by_figure["not_responded"]) >= {cases["c4"].number, cases["c6"].number}
    # 承办部门, as the dashboard counts it: the 城管 row leaves out the case 城管 only assists with.
    chengguan = next(r for r in ctx["departments"] if r["id"] == world.departments["chengguan"].pk)
    assert co_handled.number not in _listed(client, chengguan["link"])


def test_every_bar_slice_and_grid_of_the_charts_opens_its_cases(cases, world, client):
    """The status, channel and category charts and the grid map are numbers too: each bar,
    slice and grid opens the list of as many cases as it shows."""
    client.force_login(world.users["leader"])
    charts = client.get("/dashboard/", wide_period()).context["charts"]
    expected = {}
    for key in ("statuses", "channels", "categories"):
        rows = charts[key]
        assert rows and all(row["link"] for row in rows), key
        expected.update({row["link"]: row.get("count", row.get("value")) for row in rows})
    loaded = [f["properties"] for f in charts["map"]["features"] if f["properties"]["open"]]
    assert loaded
    for grid in loaded:
        expected[grid["links"]["open"]] = grid["open"]
        expected[grid["links"]["overdue"]] = grid["overdue"]
    for url, number in expected.items():
        assert len(_listed(client, url)) == number, url
    in_progress = next(row for row in charts["statuses"] if row["status"] == "in_progress")
    assert _listed(client, in_progress["link"]) == {cases["c3"].number}
    # A department officer follows them as well (the map's grids through the list's grid filter).
    client.force_login(world.users["chengguan"])
    charts = client.get("/dashboard/", wide_period()).context["charts"]
    for grid in (f["properties"] for f in charts["map"]["features"] if f["properties"]["open"]):
        assert len(_listed(client, grid["links"]["open"])) == grid["open"]


def _trend_points(ctx, chart: str, rows: list[dict]) -> dict[str, int]:
    """Each point of a trend chart that counts something → as many cases as it shows: a bar its
    number, a rate's point the cases that keep it below 100 % (its denominator less its numerator)."""
    data = ctx["charts"][chart]
    assert len(data["spans"]) == len(rows) == len(data["labels"])
    expected = {}
    for i, row in enumerate(rows):
        for series, number in [("filed", data["filed"][i]), ("solved", data["solved"][i]),
                               *[(key, row[RATES_BY_KEY[key].denominator] - row[RATES_BY_KEY[key].numerator])
                                 for key in ("response", "satisfaction", "on_time") if data[key][i] is not None]]:
            if row["filed"] or i == 0:  # the days with cases, and one without
                expected[trend_point_link(data["links"][series], data["spans"][i])] = number
    return expected


def test_every_day_and_month_of_the_trend_charts_opens_its_cases(spread, cases, world, client):
    """The daily and monthly trends are numbers too: a day's (month's) bar of filed or solved
    cases opens that many cases filed that day (month); a rate's point the cases that kept it
    below 100 % that day (month)."""
    client.force_login(world.users["leader"])
    today = timezone.localdate()
    period = {"period": "range", "start": (today - dt.timedelta(days=110)).isoformat(), "end": today.isoformat()}
    ctx = client.get("/dashboard/", period).context
    days, months = trend_by_day(ctx["sel"]), trend_by_month(ctx["sel"])
    expected = {**_trend_points(ctx, "day", days), **_trend_points(ctx, "month", months)}
    assert sum(row["filed"] for row in months) == 13 and len(expected) > 20
    for url, number in expected.items():
        assert len(_listed(client, url)) == number, url
    # The day c7 was filed on (30 days ago): its bar of filed cases lists it, its on-time point too (late).
    day = ctx["charts"]["day"]
    i = day["spans"].index([(today - dt.timedelta(days=30)).isoformat()] * 2)
    assert cases["c7"].number in _listed(client, trend_point_link(day["links"]["filed"], day["spans"][i]))
    assert _listed(client, trend_point_link(day["links"]["on_time"], day["spans"][i])) == {cases["c7"].number}


def test_the_list_says_where_it_came_from_and_keeps_to_it_when_filtered(cases, world, client):
    client.force_login(world.users["leader"])
    ctx = client.get("/dashboard/", wide_period()).context
    url = next(r["links"]["shortfall"] for r in ctx["rates"] if r["def"].key == "on_time")
    response = client.get(url)
    html = response.content.decode()
    assert 'data-testid="drill"' in html and "超时办结" in html
    # The filter form carries the figure: narrowing by grid keeps to the late cases.
    assert '<input type="hidden" name="figure" value="late">' in html
    narrowed = _listed(client, url + f"&grid={world.grids[2].pk}")
    assert narrowed == set()  # c7, the one late case, is in grid A1
    assert _listed(client, url + f"&grid={world.grids[0].pk}") == {cases["c7"].number}


def test_a_link_out_of_reach_or_unknown_is_refused_with_a_reason(cases, world, client):
    client.force_login(world.users["secretary_a"])
    # Community B's grid is not the secretary's: nothing listed, and the form says why.
    response = client.get("/cases/", {"figure": "filed", "territory": world.grids[2].pk, **{
        "submitted_after": wide_period()["start"], "submitted_before": wide_period()["end"]}})
    assert response.context["page"].count == 0
    assert "该辖区不在您的管辖范围内" in response.content.decode()
    response = client.get("/cases/", {"figure": "everything"})
    assert response.context["page"].count == 0
    assert "统计口径在指挥大屏上不存在" in response.content.decode()
    # The export of such a link exports nothing: it goes back to the list that says why.
    export = client.get("/cases/export.xlsx", {"figure": "everything"})
    assert export.status_code == 302 and export.url.startswith("/cases/?")
    # Their own grid works.
    assert _listed(client, f"/cases/?figure=filed&territory={world.grids[0].pk}") >= {cases["c1"].number}
