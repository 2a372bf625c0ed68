"""Scoped reads of key persons: who sees whom, what is due, the monthly coverage (覆盖率)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet

from wangge.core.errors import NotFound
from wangge.core.http import row_id
from wangge.org.choices import RegionLevel, Role
from wangge.org.models import Region, RoleAssignment
from wangge.org.scope import FIELD_ROLES, Scope

from . import periods
from .choices import FREQUENCY_RANK
from .models import Attendance, KeyPerson, KeyPersonTag, QuickReport, Visit

# Only the grid's own workers and their superiors see a key person: not intake clerks, not
# departments, not a worker of the next grid.
VIEW_ROLES = frozenset(FIELD_ROLES | {Role.COMMUNITY_SECRETARY, Role.STREET_CHIEF_L1, Role.STREET_CHIEF_L2,
                                      Role.LEADER, Role.ADMIN})
# Who may export the register (the export itself is logged).
EXPORT_ROLES = frozenset({Role.COMMUNITY_SECRETARY, Role.LEADER, Role.ADMIN})
# Who signs off and watches coverage: the chiefs and everyone above a grid.
SUPERVISOR_ROLES = frozenset({Role.GRID_CHIEF, Role.COMMUNITY_SECRETARY, Role.STREET_CHIEF_L1,
                              Role.STREET_CHIEF_L2, Role.LEADER, Role.ADMIN})
# A key person is placed by its snapshot columns; a district (no column) by the grid's path.
KP_FIELDS = {RegionLevel.GRID: "grid_id", RegionLevel.COMMUNITY: "community_id",
             RegionLevel.SUBDISTRICT: "subdistrict_id"}
ROW_FIELDS = {RegionLevel.GRID: "grid_id", RegionLevel.COMMUNITY: "community_id"}


def can_view(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and Scope.of(user).has_any(VIEW_ROLES))


def can_export(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and Scope.of(user).has_any(EXPORT_ROLES))


def is_supervisor(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and Scope.of(user).has_any(SUPERVISOR_ROLES))


def key_persons_visible_to(user, *, include_retired: bool = False) -> QuerySet[KeyPerson]:
    if not can_view(user):
        return KeyPerson.objects.none()
    qs = Scope.of(user).restrict(KeyPerson.objects.all(), roles=VIEW_ROLES, fields=KP_FIELDS, region_field="grid")
    if not include_retired:
        qs = qs.filter(is_active=True)
    return qs.select_related("grid", "community", "worker").prefetch_related(
        Prefetch("tags", queryset=KeyPersonTag.objects.order_by("order", "pk")))


def key_person_for(user, pk) -> KeyPerson:
    """The key person ``pk`` if ``user`` may see it (retired ones included); else ``NotFound``."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    row = key_persons_visible_to(user, include_retired=True).filter(pk=pk).first()
    if row is None:
        raise NotFound()
    return row


def own_quick_entry(user, *, report=None, attended=None) -> QuickReport | Attendance | None:
    """The 六报 (``report``) or 六到 (``attended``) the user just recorded, for the confirmation on
    the quick page: the user's own only — another's id is the same as none."""
    if not getattr(user, "is_authenticated", False):
        return None
    model, raw = (QuickReport, report) if report else (Attendance, attended)
    pk = row_id(raw)
    if pk is None:
        return None
    related = ("case", "grid") if model is QuickReport else ("grid",)
    return model.objects.filter(pk=pk, worker=user).select_related(*related).first()


def grids_for(user) -> list[Region]:
    """The active grids ``user`` may register key persons in."""
    if not can_view(user):
        return []
    qs = Region.objects.filter(level=RegionLevel.GRID, is_active=True)
    scope = Scope.of(user)
    if not scope.everything:
        q = Q(pk__in=[])
        for region in scope.regions_for(VIEW_ROLES):
            q |= Q(path__startswith=region.path)
        qs = qs.filter(q)
    return list(qs.order_by("path"))


def frequency_of(person: KeyPerson) -> str:
    return periods.frequency_of(t.frequency for t in person.tags.all() if t.is_active)


def visits_of(user, person: KeyPerson) -> QuerySet[Visit]:
    return person.visits.select_related("worker", "case").order_by("-visited_at", "-pk")


# ---------------------------------------------------------------------------------------------
# What is due
# ---------------------------------------------------------------------------------------------


@dataclass
class Due:
    """A person's state today: ``done`` (visited in the current window), ``due`` (by ``due_by``)
    or ``overdue`` (the last window closed without a visit; ``overdue_days`` since it closed)."""

    person: KeyPerson
    frequency: str
    window: tuple[dt.date, dt.date]
    status: str
    last_visit: dt.datetime | None = None
    overdue_days: int = 0
    missed_window: tuple[dt.date, dt.date] | None = None

    @property
    def due_by(self) -> dt.date:
        return self.window[1]


def due_list(persons, *, today: dt.date) -> list[Due]:
    """The due state of each person (a queryset or list, tags prefetched), overdue first."""
    persons = list(persons)
    if not persons:
        return []
    plans = {}
    earliest = today
    for p in persons:
        freq = frequency_of(p)
        current = periods.window(freq, today)
        previous = periods.previous_window(freq, today)
        plans[p.pk] = (freq, current, previous)
        earliest = min(earliest, previous[0])
    start, _ = periods.day_bounds(earliest)
    _, end = periods.day_bounds(today)
    seen: dict[int, list[dt.date]] = defaultdict(list)
    last: dict[int, dt.datetime] = {}
    for kp_id, at in (Visit.objects.filter(key_person__in=[p.pk for p in persons], visited_at__gte=start,
                                            visited_at__lt=end).values_list("key_person_id", "visited_at")):
        seen[kp_id].append(periods.local_day(at))
        last[kp_id] = max(last.get(kp_id, at), at)
    out = []
    for p in persons:
        freq, current, previous = plans[p.pk]
        days = seen.get(p.pk, [])
        registered = periods.local_day(p.registered_at)
        if any(current[0] <= d <= current[1] for d in days):
            out.append(Due(p, freq, current, "done", last.get(p.pk)))
        elif registered <= previous[1] and not any(previous[0] <= d <= previous[1] for d in days):
            out.append(Due(p, freq, current, "overdue", last.get(p.pk), (today - previous[1]).days, previous))
        else:
            out.append(Due(p, freq, current, "due", last.get(p.pk)))
    order = {"overdue": 0, "due": 1, "done": 2}
    return sorted(out, key=lambda d: (order[d.status], -d.overdue_days, d.due_by, d.person.pk))


def chief_grace_days() -> int:
    return int(getattr(settings, "WANGGE_KEYPERSON_CHIEF_GRACE_DAYS", 7))


def worker_is_absent(worker, grid: Region) -> bool:
    """No one answers for the grid's visits: no worker, an inactive account, or no active field
    role in this grid any more (moved away, on leave)."""
    if worker is None or not worker.is_active:
        return True
    return not RoleAssignment.objects.filter(user=worker, is_active=True, role__in=list(FIELD_ROLES),
                                             region__path__startswith=grid.path).exists()


def chiefs_of(grid: Region) -> list:
    """The active grid chiefs of ``grid`` (or, when it has none, the community secretaries)."""
    chiefs = [a.user for a in RoleAssignment.objects.filter(role=Role.GRID_CHIEF, region=grid, is_active=True,
                                                            user__is_active=True).select_related("user")]
    if chiefs:
        return chiefs
    community = grid.ancestor_at(RegionLevel.COMMUNITY)
    return [a.user for a in RoleAssignment.objects.filter(role=Role.COMMUNITY_SECRETARY, region=community,
                                                          is_active=True, user__is_active=True)
            .select_related("user")] if community else []


def holders_covering(grid: Region, role: str) -> list:
    """Active holders of ``role`` whose territory contains ``grid`` (the grid or an ancestor)."""
    paths = [grid.path[:i] for i in range(Region.steplen, len(grid.path) + 1, Region.steplen)]
    return [a.user for a in RoleAssignment.objects.filter(role=role, is_active=True, user__is_active=True,
                                                          region__path__in=paths).select_related("user")]


# ---------------------------------------------------------------------------------------------
# Monthly coverage (覆盖率): expected windows minus visited ones, exact
# ---------------------------------------------------------------------------------------------


@dataclass
class CoverageRow:
    key: int
    label: str
    expected: int = 0
    done: int = 0
    persons: set = field(default_factory=set)

    @property
    def missing(self) -> int:
        return self.expected - self.done

    @property
    def rate(self) -> float | None:
        return round(100.0 * self.done / self.expected, 1) if self.expected else None


GROUPS = ("worker", "grid", "community")


def _scoped_ids(user):
    """The key persons in ``user``'s scope (retired ones too), as an unevaluated queryset."""
    if not can_view(user):
        return KeyPerson.objects.none()
    return Scope.of(user).restrict(KeyPerson.objects.all(), roles=VIEW_ROLES, fields=KP_FIELDS, region_field="grid")


def coverage(user, *, year: int, month: int, by: str = "worker") -> tuple[list[CoverageRow], CoverageRow]:
    """The month's coverage per worker, grid or community, and the total.

    Expected: one per (person, window ending in the month) for each person registered by the
    window's last day and not retired before it. Done: such a window with at least one visit in
    it (a second visit in the same window counts once). Missing = expected − done.
    Read as plain values (no model instances): a whole sub-district's register is thousands of
    rows."""
    if by not in GROUPS:
        by = "worker"
    first = dt.date(year, month, 1)
    month_start, month_stop = periods.day_bounds(first)[0], periods.day_bounds(periods.month_end(first))[1]
    persons_qs = _scoped_ids(user).filter(registered_at__lt=month_stop).exclude(retired_at__lt=month_start)
    column = {"worker": "worker_id", "grid": "grid_id", "community": "community_id"}[by]
    persons = list(persons_qs.values_list("pk", "registered_at", "retired_at", column))
    freqs: dict[int, list[str]] = defaultdict(list)
    for kp_id, freq in KeyPerson.tags.through.objects.filter(
            keyperson_id__in=persons_qs.values("pk"), keypersontag__is_active=True).values_list(
            "keyperson_id", "keypersontag__frequency"):
        freqs[kp_id].append(freq)
    month_windows = {f: periods.windows_ending_in_month(f, year, month) for f in FREQUENCY_RANK}
    expected: list[tuple[int, int, tuple[dt.date, dt.date]]] = []
    earliest = first
    for pk, registered_at, retired_at, key in persons:
        registered = periods.local_day(registered_at)
        retired = periods.local_day(retired_at) if retired_at else None
        for w in month_windows[periods.frequency_of(freqs.get(pk, ()))]:
            if registered <= w[1] and (retired is None or retired > w[1]):
                expected.append((pk, key or 0, w))
                earliest = min(earliest, w[0])
    visited: dict[int, set[dt.date]] = defaultdict(set)
    if expected:
        start = periods.day_bounds(earliest)[0]
        for kp_id, at in Visit.objects.filter(key_person__in=persons_qs.values("pk"), visited_at__gte=start,
                                              visited_at__lt=month_stop).values_list("key_person_id", "visited_at"):
            visited[kp_id].add(periods.local_day(at))
    labels = _labels(by, {key for _pk, key, _w in expected})
    rows: dict[int, CoverageRow] = {}
    total = CoverageRow(key=0, label="")
    for pk, key, w in expected:
        row = rows.get(key)
        if row is None:
            row = rows[key] = CoverageRow(key=key, label=labels.get(key, "—"))
        hit = any(w[0] <= d <= w[1] for d in visited.get(pk, ()))
        for r in (row, total):
            r.expected += 1
            r.done += int(hit)
            r.persons.add(pk)
    return sorted(rows.values(), key=lambda r: (-r.missing, r.label)), total


def _labels(by: str, keys: set[int]) -> dict[int, str]:
    keys = {k for k in keys if k}
    if by == "worker":
        from django.contrib.auth import get_user_model

        return {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=keys)}
    return dict(Region.objects.filter(pk__in=keys).values_list("pk", "name"))


# ---------------------------------------------------------------------------------------------
# 六到 / 六报 reads
# ---------------------------------------------------------------------------------------------


def attendances_visible_to(user) -> QuerySet[Attendance]:
    if not can_view(user):
        return Attendance.objects.none()
    return Scope.of(user).restrict(Attendance.objects.select_related("grid", "worker"), roles=VIEW_ROLES,
                                   fields=ROW_FIELDS, region_field="grid")


def quick_reports_visible_to(user) -> QuerySet[QuickReport]:
    if not can_view(user):
        return QuickReport.objects.none()
    return Scope.of(user).restrict(QuickReport.objects.select_related("grid", "worker", "case"), roles=VIEW_ROLES,
                                   fields=ROW_FIELDS, region_field="grid")


# ---------------------------------------------------------------------------------------------
# 我的个人信息 — what the person on the register is shown of it
# ---------------------------------------------------------------------------------------------


@dataclass
class OwnEntry:
    """One register entry as the person on it is shown it: the categories shown to the person,
    where, since when, the post answering for the visits (not the officer's name), and how many
    visits and when the last one was — never what a visit noted: ``found`` and ``need_note`` are
    a worker's free text and name family and neighbours too (“女儿每周来探望”)."""

    pk: int
    categories: list[str]
    community: str
    since: dt.datetime
    posts: list[list[str]]  # [[role, place], …] of the responsible worker in the entry's grid
    visits: int
    last_visit: dt.datetime | None
    retired_at: dt.datetime | None


@dataclass
class OwnRegister:
    """A resident's entries in categories shown to the person, and whether any entry (or a
    category of a shown one) is kept from them (they are told only that some records are kept)."""

    entries: list[OwnEntry]
    withheld: bool

    def __bool__(self) -> bool:
        return bool(self.entries) or self.withheld


def register_of(resident) -> OwnRegister:
    """The register entries about ``resident`` (retired ones too, while the row links them), as
    ``OwnEntry``; an entry none of whose categories is shown to the person is only counted in
    ``withheld``. A few queries, whatever the number of entries."""
    from django.db.models import Count, Max

    persons = list(KeyPerson.objects.filter(resident=resident).select_related("community", "grid")
                   .annotate(visit_count=Count("visits"), last_visit=Max("visits__visited_at"))
                   .prefetch_related(Prefetch("tags", queryset=KeyPersonTag.objects.order_by("order", "pk")))
                   .order_by("registered_at", "pk"))
    posts = _posts_in_grids(persons)
    entries, withheld = [], False
    for p in persons:
        shown = [t.name for t in p.tags.all() if t.shown_to_person]
        withheld = withheld or len(shown) < len(p.tags.all())
        if shown:
            entries.append(OwnEntry(pk=p.pk, categories=shown, community=p.community.name, since=p.registered_at,
                                    posts=posts.get(p.pk, []), visits=p.visit_count, last_visit=p.last_visit,
                                    retired_at=p.retired_at))
    return OwnRegister(entries=entries, withheld=withheld)


def _posts_in_grids(persons) -> dict[int, list[list[str]]]:
    """Each person's responsible worker's active posts within the person's grid: [role, place]."""
    workers = {p.worker_id for p in persons if p.worker_id}
    assignments = list(RoleAssignment.objects.filter(user_id__in=workers, is_active=True, region__isnull=False)
                       .select_related("region").defer("region__boundary").order_by("pk"))
    return {p.pk: [[a.role, a.region.name] for a in assignments
                   if a.user_id == p.worker_id and a.role in FIELD_ROLES and a.region.path.startswith(p.grid.path)]
            for p in persons if p.worker_id}


def staff_views_of_register(resident, *, entries: list[OwnEntry], limit: int = 100) -> list:
    """The granted full views (``reveal_key_person``) of the ``entries`` shown to ``resident``,
    newest first, as access-log rows (``user_id``, ``viewer_posts``, ``accessed_at``). Views of an
    entry kept from the person are left out: the view would tell of the entry."""
    from .choices import AccessKind
    from .models import KeyPersonAccessLog

    return list(KeyPersonAccessLog.objects.filter(
        key_person__resident=resident, key_person_id__in=[e.pk for e in entries], kind=AccessKind.REVEAL,
        granted=True).order_by("-accessed_at", "-pk")[:limit])
