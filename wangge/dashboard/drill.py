"""穿透 — from a number on the command dashboard to the case list behind it.

A figure of the dashboard (受理总量, 在办, 督办, each rate's numerator, denominator and the cases
that keep it below 100 %) links to the ordinary case list (``web:case_list``) with:

- ``figure``: the key of ``metrics.FIGURES`` (or ``supervise``: the 督办 list);
- ``submitted_after`` / ``submitted_before``: the period (the list's own date filters, which cut
  at the same local midnights as the rollup);
- ``territory``: the territory node chosen on the dashboard (or the row's community / grid);
- ``lead_department``: the 承办部门 chosen on the dashboard (or the row's department) — the
  dashboard's department is the case's lead department, not any department holding it.

The list counts what the dashboard counted: the same conditions on the same jurisdiction
(``selectors.figure_cases``). The list's other filters then narrow it further as usual.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from wangge.core.http import row_id
from wangge.org.models import Department, Region
from wangge.org.scope import Scope

from . import metrics, selectors
from .selectors import SUPERVISE, Selection

PARAMS = ("figure", "territory", "lead_department")
LABELS = {SUPERVISE: _("Overdue cases to supervise"), **{k: f.label for k, f in metrics.FIGURES.items()}}


@lru_cache(maxsize=8)
def _case_list_url(_prefix: str, _urlconf) -> str:
    return reverse("web:case_list")


def case_list_url() -> str:
    """``web:case_list``, reversed once per script prefix and URLconf: a dashboard has about 700
    links, and reversing each took a sixth of the page's time."""
    return _case_list_url(get_script_prefix(), get_urlconf())


def link(sel: Selection, figure: str, *, region_id: int | None = None, department_id: int | None = None,
         in_period: bool = True, **filters) -> str:
    """The case list of ``figure`` in the selection (a row of a ranking: its ``region_id`` or
    ``department_id`` in place of the selection's); ``in_period=False``: filed at any time (a
    load now, as the map's); ``filters``: the list's own filters narrowing it to a slice of the
    figure (a bar of a chart: ``status``, ``category``, ``channel``, ``grid``)."""
    region_id = region_id or (sel.region.pk if sel.region is not None else None)
    department_id = department_id or (sel.department.pk if sel.department is not None else None)
    params = {"figure": figure}
    if figure != SUPERVISE and in_period:  # 督办 is every overdue case now, whenever filed
        params.update(submitted_after=sel.period.start.isoformat(), submitted_before=sel.period.end.isoformat())
    if region_id:
        params["territory"] = region_id
    if department_id:
        params["lead_department"] = department_id
    params.update(filters)
    return case_list_url() + "?" + urlencode(params)


def rate_links(sel: Selection, rate: metrics.RateDef) -> dict[str, str]:
    """A rate's numerator, denominator and shortfall (the cases that keep it below 100 %)."""
    return {"numerator": link(sel, rate.numerator), "denominator": link(sel, rate.denominator),
            "shortfall": link(sel, metrics.SHORTFALL[rate.key])}


def ranking_links(sel: Selection, rows: list[dict], *, departments: bool = False) -> None:
    """Each row of a ranking opens its cases (``link``), each rate cell its shortfall."""
    for row in rows:
        where = {"department_id": row["id"]} if departments else {"region_id": row["id"]}
        row["link"] = link(sel, "filed", **where)
        for cell in row["rate_cells"]:
            cell["link"] = link(sel, metrics.SHORTFALL[cell["key"]], **where)


def chart_links(sel: Selection, charts: dict) -> None:
    """Each bar, slice and grid of the charts opens its cases: the status, channel and category
    charts count the period's cases (``filed``) of one status, channel or top category; the
    map the open and the overdue cases of a grid now, whenever filed. Unclassified cases have
    no category filter to follow, so their slice has no link."""
    for row in charts["statuses"]:
        row["link"] = link(sel, "filed", status=row["status"])
    for row in charts["channels"]:
        row["link"] = link(sel, "filed", channel=row["key"])
    for row in charts["categories"]:
        row["link"] = link(sel, "filed", category=row["id"]) if row["id"] else ""
    for feature in charts["map"]["features"]:
        grid = feature["properties"]["id"]
        feature["properties"]["links"] = {key: link(sel, key, in_period=False, grid=grid)
                                          for key in ("open", "overdue")}


#: A trend chart's series → the figure its bar or point opens: the bars their cases, a rate's
#: point the cases that keep it below 100 % (as a ranking's rate cell does).
TREND_FIGURES = {"filed": "filed", "solved": "solved",
                 **{key: metrics.SHORTFALL[key] for key in ("response", "satisfaction", "on_time")}}


def trend_links(sel: Selection, spans: list[tuple[dt.date, dt.date]]) -> dict:
    """The daily and monthly trend charts: each day's (month's) bar or point opens the cases of its
    series filed that day (month). The chart gets each point's first and last day (``spans``) and
    one link per series without dates (``links``); a click adds the point's days
    (``trend_point_link``, which dashboard.js does the same way) — a year of days times five
    series of whole links would weigh the page down."""
    return {"spans": [[start.isoformat(), end.isoformat()] for start, end in spans],
            "links": {series: link(sel, figure, in_period=False) for series, figure in TREND_FIGURES.items()}}


def trend_point_link(template: str, span: list[str]) -> str:
    """The link of one point of a trend chart: its series' link narrowed to the point's days."""
    return template + "&" + urlencode({"submitted_after": span[0], "submitted_before": span[1]})


class DrillError(ValueError):
    """A figure link that cannot be followed (unknown figure, territory or department out of reach)."""


@dataclass
class Drill:
    """The figure a case list was opened from."""

    figure: str
    region: Region | None
    department: Department | None
    sel: Selection

    @property
    def label(self) -> str:
        return str(LABELS[self.figure])

    @property
    def where(self) -> str:
        """The territory and department the figure was counted over."""
        return self.sel.title

    def cases(self) -> QuerySet:
        """The cases of the figure, whenever filed: the list's date filters give the period."""
        return selectors.figure_cases(self.sel, self.figure, in_period=False)

    def narrow(self, cases: QuerySet) -> QuerySet:
        """The list's cases (the user's, filtered as asked) narrowed to the figure's: the same
        cases as ``cases()`` among them, read in the list's order a page at a time."""
        return selectors.narrow_to_figure(self.sel, cases, self.figure)

    @classmethod
    def from_params(cls, user, params) -> Drill | None:
        """The drill the list's query asks for; None when it asks for none. Raises DrillError
        when it cannot be followed: a list that silently showed something else would not
        agree with the number clicked."""
        figure = (params.get("figure") or "").strip()
        territory, department = params.get("territory"), params.get("lead_department")
        if not figure:
            if territory or department:
                raise DrillError(_("A territory or lead department without a figure: open the list from the "
                                   "dashboard again."))
            return None
        if not selectors.has_dashboard(user):
            raise DrillError(_("The dashboard's figures are for staff with a territory or a department."))
        if figure not in LABELS:
            raise DrillError(_("This link asks for a figure the dashboard does not have."))
        scope = Scope.of(user)
        region = dept = None
        if territory:
            # Any node inside the jurisdiction, retired ones too (a ranking still lists a retired grid).
            region = Region.objects.filter(pk=row_id(territory) or 0).first()
            if region is None or not (scope.everything or any(region.path.startswith(root.path)
                                                                for root in scope.all_regions())):
                raise DrillError(_("This territory is not in your jurisdiction."))
        if department:
            dept = Department.objects.filter(pk=row_id(department) or 0).first()
            if dept is None or not (scope.everything or scope.all_regions() or dept.pk in scope.departments):
                raise DrillError(_("This department is not among the ones you oversee."))
        sel = Selection(user=user, period=selectors.make_period(None), region=region, department=dept)
        return cls(figure=figure, region=region, department=dept, sel=sel)
