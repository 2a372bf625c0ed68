"""Scoped reads for the command dashboard. Figures come from ``DailyCaseStats``; the overdue list
(督办) reads live cases through ``cases_visible_to``.

Jurisdiction: the figures cover the territory and departments the user's roles reach (the
``org.scope.Scope`` that ``cases.permissions.visible_q`` uses too), narrowed by the territory
and/or department chosen on the page. Cases a user sees only because they filed them or hold
them in person are not part of any office's figures.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case as When_
from django.db.models import F, Q, QuerySet, Sum, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.cases.channels import channels
from wangge.cases.choices import OPEN_STATUSES, CaseStatus, Light
from wangge.cases.models import Case, Category
from wangge.cases.selectors import cases_visible_to, led_by_departments, ordered_page, with_handlers
from wangge.cases.sla import LOCAL_TZ
from wangge.core.pgsettings import local_settings
from wangge.org.choices import RegionLevel
from wangge.org.models import Department, Region
from wangge.org.scope import LEVEL_FIELD, Scope, region_q

from . import metrics
from .models import COMMUNITY, DIM_LEVEL, DIMS, GRID, DailyCaseStats
from .rollup import category_top_expression, day_bounds

LEVELS = [RegionLevel.DISTRICT, RegionLevel.SUBDISTRICT, RegionLevel.COMMUNITY, RegionLevel.GRID]
MAX_RANGE_DAYS = 366


# ---------------------------------------------------------------------------------------------
# Period
# ---------------------------------------------------------------------------------------------


class PeriodKind:
    THIS_MONTH = "month"
    LAST_MONTH = "last_month"
    LAST_90 = "last90"
    RANGE = "range"
    CHOICES = [
        (THIS_MONTH, _("This month")),
        (LAST_MONTH, _("Last month")),
        (LAST_90, _("Last 90 days")),
        (RANGE, _("Date range")),
    ]


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date  # inclusive
    end: dt.date  # inclusive

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def rows_q(self, *, daily: bool = False) -> Q:
        """The rollup rows that cover the period: the monthly rows of the whole months inside it
        and the daily rows of the days at its edges (only daily rows when ``daily``)."""
        days = Q(monthly=False, day__gte=self.start, day__lte=self.end)
        if daily:
            return days
        first = self.start if self.start.day == 1 else _next_month(self.start)
        firsts = []
        while _next_month(first) - dt.timedelta(days=1) <= self.end:
            firsts.append(first)
            first = _next_month(first)
        if not firsts:
            return days
        q = Q(monthly=True, day__in=firsts)
        if self.start < firsts[0]:
            q |= Q(monthly=False, day__gte=self.start, day__lt=firsts[0])
        if first <= self.end:
            q |= Q(monthly=False, day__gte=first, day__lte=self.end)
        return q


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def month_period(year: int, month: int, kind: str = PeriodKind.RANGE) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(kind, dt.date(year, month, 1), dt.date(year, month, last))


def today() -> dt.date:
    return timezone.localtime(timezone.now(), LOCAL_TZ).date()


def make_period(kind: str | None, start: dt.date | None = None, end: dt.date | None = None,
                *, on: dt.date | None = None) -> Period:
    """The period asked for; anything malformed falls back to this month."""
    on = on or today()
    if kind == PeriodKind.LAST_MONTH:
        first = on.replace(day=1) - dt.timedelta(days=1)
        return month_period(first.year, first.month, kind)
    if kind == PeriodKind.LAST_90:
        return Period(kind, on - dt.timedelta(days=89), on)
    if kind == PeriodKind.RANGE and start and end and start <= end and (end - start).days < MAX_RANGE_DAYS:
        return Period(kind, start, end)
    return Period(PeriodKind.THIS_MONTH, on.replace(day=1), on)


# ---------------------------------------------------------------------------------------------
# Jurisdiction and selection
# ---------------------------------------------------------------------------------------------


def _is_grid_level(region: Region) -> bool:
    """Does filtering by ``region`` need rows kept per grid (a grid, or a building in one)?"""
    return region.level not in (RegionLevel.CITY, RegionLevel.DISTRICT, RegionLevel.SUBDISTRICT,
                                RegionLevel.COMMUNITY)


def _region_q(region: Region) -> Q:
    """Rollup rows inside ``region``."""
    column = LEVEL_FIELD.get(region.level)
    if column:
        return Q(**{column: region.pk})
    if region.level == RegionLevel.CITY:
        districts = Region.objects.filter(path__startswith=region.path, level=RegionLevel.DISTRICT)
        return Q(district_id__in=list(districts.values_list("pk", flat=True)))
    grid = region.ancestor_at(RegionLevel.GRID)  # building / unit
    return Q(grid_id=grid.pk) if grid else Q(pk__in=[])


@dataclass
class Selection:
    """What the dashboard is looking at: the user's jurisdiction, narrowed by a territory and/or
    a department they chose, over a period."""

    user: object
    period: Period
    region: Region | None = None
    department: Department | None = None
    scope: Scope = field(init=False)

    def __post_init__(self):
        self.scope = Scope.of(self.user)

    # Rollup filters -------------------------------------------------------------------------

    def jurisdiction_q(self) -> Q | None:
        if self.scope.everything:
            return None
        q = Q(pk__in=[])
        for region in self.scope.all_regions():
            q |= _region_q(region)
        if self.scope.departments:
            q |= Q(department_id__in=sorted(self.scope.departments))
        return q

    def uses_department(self) -> bool:
        return self.department is not None or (not self.scope.everything and bool(self.scope.departments))

    def needs_grid(self) -> bool:
        """Does the jurisdiction or the chosen territory name a grid (or a building)?"""
        regions = [*([] if self.scope.everything else self.scope.all_regions()),
                   *([self.region] if self.region is not None else [])]
        return any(_is_grid_level(r) for r in regions)

    def dim(self, keys: tuple[str, ...] = (), *, grid: bool = False) -> str | None:
        """The smallest dim with the key columns ``keys`` (and the department when it filters)
        and, when ``grid`` or the filters need it, kept per grid; None when there is none (a
        breakdown of a grid: count it from the cases, ``direct_rows``)."""
        needed = set(keys) | ({"department"} if self.uses_department() else set())
        level = GRID if grid or self.needs_grid() else COMMUNITY
        fitting = [d for d, cols in DIMS.items() if needed <= set(cols) and level in (DIM_LEVEL[d], COMMUNITY)]
        return min(fitting, key=lambda d: (len(DIMS[d]), DIM_LEVEL[d] == GRID), default=None)

    def filter(self, qs: QuerySet) -> QuerySet:
        """Narrow rollup rows — or cases annotated with the rollup's column names — to the
        jurisdiction, the chosen territory and the chosen department."""
        jq = self.jurisdiction_q()
        if jq is not None:
            qs = qs.filter(jq)
        if self.region is not None:
            qs = qs.filter(_region_q(self.region))
        if self.department is not None:
            qs = qs.filter(department_id=self.department.pk)
        return qs

    def stats(self, *, keys: tuple[str, ...] = (), period: bool = True, daily: bool = False,
              grid: bool = False) -> QuerySet:
        """Rollup rows of ``self.dim(keys, grid=grid)`` over the period (over all time when not
        ``period``: every monthly row)."""
        dim = self.dim(keys, grid=grid)
        if dim is None:
            raise ValueError(f"no rollup has {keys} per grid: use direct_rows")
        qs = DailyCaseStats.objects.filter(dim=dim)
        qs = qs.filter(self.period.rows_q(daily=daily)) if period else qs.filter(monthly=True)
        return self.filter(qs)

    def direct_rows(self) -> QuerySet:
        """The cases filed in the period, annotated with the rollup's key columns and narrowed
        like the rollup rows: for the breakdowns a rollup does not keep (a single grid's)."""
        start, end = day_bounds(self.period.start, self.period.end)
        cases = Case.objects.filter(submitted_at__gte=start, submitted_at__lt=end).annotate(
            category_top_id=category_top_expression(), department_id=F("lead_department_id"))
        return self.filter(cases)

    # Live cases (the overdue list) -----------------------------------------------------------

    def live_departments(self) -> list[int] | None:
        """The departments whose cases in hand the live lists (督办) hold: the chosen one, or a
        department officer's own (their dashboard is their departments' figures: the rollup's
        承办部门); None when the lists are the territory's."""
        if self.department is not None:
            return [self.department.pk]
        if not self.scope.everything and self.scope.departments and not self.scope.all_regions():
            return sorted(self.scope.departments)
        return None

    def cases(self) -> QuerySet:
        departments = self.live_departments()
        if departments is not None and set(departments) <= set(self.scope.departments):
            # A department's cases in hand are all visible to its staff: no need to ask which are.
            return self.narrow_live(Case.objects.all())
        return self.narrow_live(cases_visible_to(self.user))

    def narrow_live(self, qs: QuerySet) -> QuerySet:
        """Cases narrowed to the chosen territory and department (the live lists: 督办). A
        department's: those it leads now, still in its hands (``led_by_departments``: read from
        the case's columns over their own index, not through the assignments — which hold every
        case it ever led: a department officer's 督办 took a second at 1,000,000 cases)."""
        if self.region is not None:
            qs = qs.filter(region_q(self.region))
        departments = self.live_departments()
        if departments is not None:
            qs = qs.filter(led_by_departments(departments))
        return qs

    @property
    def title(self) -> str:
        parts = [self.region.name if self.region else self.scope_name()]
        if self.department is not None:
            parts.append(self.department.name)
        return " · ".join(parts)

    def scope_name(self) -> str:
        if self.scope.everything:
            return str(_("All territory"))
        names = [r.name for r in self.scope.all_regions()]
        names += list(Department.objects.filter(pk__in=self.scope.departments).values_list("name", flat=True))
        return "、".join(dict.fromkeys(names)) or str(_("My jurisdiction"))


def territory_choices(user) -> list[Region]:
    """The district … grid nodes the user may choose, in tree order (``depth`` for indenting)."""
    scope = Scope.of(user)
    qs = Region.objects.filter(level__in=LEVELS, is_active=True)
    if not scope.everything:
        roots = scope.all_regions()
        if not roots:
            return []
        q = Q(pk__in=[])
        for root in roots:
            q |= Q(path__startswith=root.path)
        qs = qs.filter(q)
    return list(qs.order_by("path"))


def department_choices(user) -> list[Department]:
    scope = Scope.of(user)
    qs = Department.objects.filter(is_active=True)
    if not scope.everything and not scope.all_regions():
        qs = qs.filter(pk__in=scope.departments)
    return list(qs.order_by("kind", "name"))


def has_dashboard(user) -> bool:
    """Staff with a territory or a department (or a superuser) have a dashboard."""
    if not getattr(user, "is_authenticated", False):
        return False
    scope = Scope.of(user)
    return scope.everything or bool(scope.all_regions()) or bool(scope.departments)


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------

SUMS = {name: Sum(name) for name in metrics.COUNTERS}


def _clean(row: dict) -> dict:
    """Every counter present, 0 where a sum over no rows gave None."""
    return {**row, **{k: row.get(k) or 0 for k in metrics.COUNTERS}}


def with_rates(row: dict) -> dict:
    row = _clean(row)
    row["rates"] = metrics.rates(row)
    row["rate_cells"] = [{"key": k, "value": v, "pct": metrics.pct(v)} for k, v in row["rates"].items()]
    return row


def summary(sel: Selection) -> dict:
    """All counters and the four rates over the period."""
    return with_rates(sel.stats().aggregate(**SUMS))


# Columns every dim has; the others (category_top, channel, department) need a dim that has them.
BASE_COLUMNS = {"day", *LEVEL_FIELD.values()}


def grouped(sel: Selection, key: str) -> list[dict]:
    """Counters and rates per value of ``key`` over the period (a base column, or category_top /
    channel / department)."""
    if key in BASE_COLUMNS:
        rows = sel.stats(daily=key == "day", grid=key == "grid_id").values(key).annotate(**SUMS)
    else:
        column = {"category_top": "category_top_id", "department": "department_id"}.get(key, key)
        if sel.dim((key,)) is None:
            rows = sel.direct_rows().values(column).annotate(**metrics.count_annotations())
        else:
            rows = sel.stats(keys=(key,)).values(column).annotate(**SUMS)
    return [with_rates(r) for r in rows.order_by()]


def _names(model, ids) -> dict[int, str]:
    return dict(model.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "name"))


def ranking(sel: Selection, level_column: str, *, rank_by: str = "resolution") -> list[dict]:
    """Communities / grids (``community_id`` / ``grid_id``) or departments (``department``),
    best first by ``rank_by``; rows without data for that rate last."""
    if level_column == "department":
        rows = grouped(sel, "department")
        names = _names(Department, [r["department_id"] for r in rows])
        for r in rows:
            r["id"], r["name"] = r["department_id"], names.get(r["department_id"])
    else:
        rows = grouped(sel, level_column)
        names = _names(Region, [r[level_column] for r in rows])
        for r in rows:
            r["id"], r["name"] = r[level_column], names.get(r[level_column])
    rows = [r for r in rows if r["id"]]
    rows.sort(key=lambda r: (r["rates"][rank_by] is None, -(r["rates"][rank_by] or 0), -r["filed"], r["name"] or ""))
    for i, r in enumerate(rows, 1):
        r["rank"] = i if r["rates"][rank_by] is not None else None
    return rows


def trend_by_day(sel: Selection) -> list[dict]:
    rows = {r["day"]: r for r in grouped(sel, "day")}
    empty = with_rates({})
    return [{**rows.get(day, empty), "day": day} for day in sel.period.days]


def trend_by_month(sel: Selection, months: int = 12) -> list[dict]:
    """The ``months`` calendar months ending with the period's last month."""
    end = sel.period.end
    firsts = []
    y, m = end.year, end.month
    for _i in range(months):
        firsts.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    firsts.reverse()
    whole = Selection(user=sel.user, period=Period(PeriodKind.RANGE, firsts[0], month_period(end.year, end.month).end),
                      region=sel.region, department=sel.department)
    by_month: dict[dt.date, dict] = {f: {k: 0 for k in metrics.COUNTERS} for f in firsts}
    for r in grouped(whole, "day"):
        bucket = by_month[r["day"].replace(day=1)]
        for k in metrics.COUNTERS:
            bucket[k] += r[k]
    return [{**with_rates(c), "month": f} for f, c in by_month.items()]


def by_category(sel: Selection) -> list[dict]:
    rows = grouped(sel, "category_top")
    # In the page's language (an English name where one is set), chosen now: nothing here is cached.
    names = {c.pk: c.display_name for c in Category.objects.filter(
        pk__in=[r["category_top_id"] for r in rows if r["category_top_id"]]).only("pk", "name", "name_en")}
    for r in rows:
        r["name"] = names.get(r["category_top_id"]) or str(_("Unclassified"))
    return sorted(rows, key=lambda r: -r["filed"])


def by_channel(sel: Selection) -> list[dict]:
    rows = grouped(sel, "channel")
    for r in rows:
        r["name"] = channels.label(r["channel"])
    return sorted(rows, key=lambda r: -r["filed"])


def status_counts(summary_row: dict) -> list[dict]:
    return [
        {"status": s.value, "label": str(s.label), "count": summary_row[f"st_{s.value}"], "colour": s.colour}
        for s in CaseStatus
    ]


def grid_load(sel: Selection) -> dict[int, dict]:
    """Open and overdue cases per grid now (whenever they were filed)."""
    rows = sel.stats(period=False, grid=True).filter(open__gt=0).values("grid_id").annotate(
        open=Sum("open"), overdue=Sum("overdue"))
    return {r["grid_id"]: {"open": r["open"] or 0, "overdue": r["overdue"] or 0} for r in rows if r["grid_id"]}


def map_features(sel: Selection) -> dict:
    """GeoJSON of the grids in view, each with its open / overdue load."""
    load = grid_load(sel)
    grids = Region.objects.filter(level=RegionLevel.GRID, boundary__isnull=False)
    if sel.region is not None:
        grids = grids.filter(path__startswith=sel.region.path)
    if not sel.scope.everything:
        roots = sel.scope.all_regions()
        q = Q(pk__in=list(load))
        for root in roots:
            q |= Q(path__startswith=root.path)
        grids = grids.filter(q)
    features = []
    for pk, name, boundary, active in grids.values_list("pk", "name", "boundary", "is_active"):
        figures = load.get(pk, {"open": 0, "overdue": 0})
        if not active and not figures["open"]:
            continue
        features.append({"type": "Feature", "geometry": boundary,
                         "properties": {"id": pk, "name": name, **figures}})
    return {"type": "FeatureCollection", "features": features}


# ---------------------------------------------------------------------------------------------
# The overdue list (督办)
# ---------------------------------------------------------------------------------------------


def supervised(sel: Selection) -> QuerySet:
    """督办 — the open cases with a red light in view now, whenever they were filed."""
    return sel.cases().filter(status__in=OPEN_STATUSES, light=Light.RED)


def standing_total(sel: Selection, counter: str) -> int:
    """How many cases in view meet ``counter`` now, whenever filed: ``"overdue"`` (督办) or
    ``"open"`` (在办). A territory's: the rollup's figure over every month, as of its last refresh
    like every figure of the page (the map's load summed) — counting a city's cases one by one
    (180,000 overdue at 10,000,000 cases) took 70 ms a request, its open ones over 100 ms. A
    department's is counted from the cases: "still in its hands" is an active lead assignment,
    which the rollup's 承办部门 column does not follow."""
    if sel.uses_department():
        # No bitmap scans for this count: a department's red cases in hand match two partial
        # indexes — its held cases (``case_held_by_department``, which carries their light and
        # jurisdiction: a count from it alone, 5 ms for 17,000 cases at 10,000,000) and every red
        # open case (``case_overdue_by_filing``). The planner estimates their AND as if they were
        # independent (7 rows, where nearly every held case of an old backlog is red) and reads
        # 17,000 table pages instead: 250 ms.
        with local_settings(enable_bitmapscan="off"):
            return sel.cases().filter(metrics.COUNTERS[counter]).count()
    return sel.stats(period=False).aggregate(n=Sum(counter))["n"] or 0


def overdue_cases(sel: Selection, limit: int = 50) -> tuple[list[Case], int]:
    """Open cases with a red light, longest overdue first, and how many there are."""
    qs = supervised(sel)
    total = standing_total(sel, "overdue")
    due = When_(
        When(status=CaseStatus.SUBMITTED, then=F("accept_due_at")),
        When(status=CaseStatus.ACCEPTED, then=F("dispatch_due_at")),
        default=F("resolve_due_at"),
    )
    # The page's ids from an index alone (a territory's from dashboard_case_overdue, in order; a
    # department's from case_held_by_department), then those cases in full.
    rows = with_handlers(ordered_page(qs, ("due_at", "pk"), size=limit, annotations={"due_at": due},
                                      related=("grid", "community", "category", "lead_department")))
    now = timezone.now()
    for case in rows:
        case.overdue_for = now - case.due_at if case.due_at and case.due_at < now else dt.timedelta(0)
    return rows, total


# ---------------------------------------------------------------------------------------------
# 穿透 — the cases behind a figure
# ---------------------------------------------------------------------------------------------

#: The 督办 list as a figure: not a counter of the period's cases but the live overdue list.
SUPERVISE = "supervise"


def figure_cases(sel: Selection, key: str, *, in_period: bool = True) -> QuerySet:
    """The cases a figure of the dashboard counts: the cases filed in the period (any time when
    not ``in_period``), narrowed to the jurisdiction, territory and 承办部门 exactly as the rollup
    rows are, that meet the figure's condition (``metrics.FIGURES``); ``SUPERVISE``: the 督办
    list. Counted, they give the number the dashboard shows (as of its last refresh)."""
    if key == SUPERVISE:
        return supervised(sel)
    if in_period:
        return sel.direct_rows().filter(metrics.FIGURES[key].q)
    return narrow_to_figure(sel, Case.objects.all(), key)


def narrow_to_figure(sel: Selection, cases: QuerySet, key: str) -> QuerySet:
    """``cases`` (any case queryset: a user's list, filtered) narrowed to those the figure ``key``
    counts, whenever filed — its conditions added to the list's own in one query, not an IN over
    the figure's every case (which PostgreSQL gathered in full before the page: a 督办 list over
    72,000 overdue cases read them twice for a page of 50). The list's order can then be walked
    and stopped at a page where the figure's cases are common."""
    if key == SUPERVISE:
        return sel.narrow_live(cases).filter(status__in=OPEN_STATUSES, light=Light.RED)
    return sel.filter(cases.annotate(department_id=F("lead_department_id"))).filter(metrics.FIGURES[key].q)
