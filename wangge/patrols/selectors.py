"""Scoped reads of the patrols app: a worker sees their grid, a chief the grid, a community its
grids, a leader the territory — and a row outside it is "not found" (404)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from wangge.core.errors import NotFound
from wangge.org.choices import RegionLevel, Role
from wangge.org.models import Region, User
from wangge.org.scope import Scope

from . import settings as patrol_settings
from .choices import Frequency, PointClass, SlotStatus
from .geo import haversine_m
from .models import CheckIn, Finding, GridOfficer, PatrolPoint, VisitSlot
from .permissions import PATROL_ROLES
from .windows import day_bounds, today


def _restrict(user, queryset: QuerySet) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    return Scope.of(user).restrict(queryset)


def points_visible_to(user) -> QuerySet[PatrolPoint]:
    return _restrict(user, PatrolPoint.objects.all())


def slots_visible_to(user) -> QuerySet[VisitSlot]:
    return _restrict(user, VisitSlot.objects.all())


def checkins_visible_to(user) -> QuerySet[CheckIn]:
    return _restrict(user, CheckIn.objects.all())


def findings_visible_to(user) -> QuerySet[Finding]:
    return _restrict(user, Finding.objects.all())


def officers_visible_to(user) -> QuerySet[GridOfficer]:
    return _restrict(user, GridOfficer.objects.all())


def _one(queryset: QuerySet, pk):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise NotFound()
    return row


def point_for(user, pk) -> PatrolPoint:
    return _one(points_visible_to(user).select_related("grid", "responsible"), pk)


def point_by_plate(user, token: str) -> PatrolPoint:
    """The point whose QR plate was scanned (its token), if the user's territory reaches it."""
    row = points_visible_to(user).filter(plate_token=(token or "")[:32]).first()
    if row is None:
        raise NotFound()
    return row


def slot_for(user, pk) -> VisitSlot:
    return _one(slots_visible_to(user).select_related("point"), pk)


def checkin_for(user, pk) -> CheckIn:
    return _one(checkins_visible_to(user).select_related("point", "worker", "slot"), pk)


def own_checkin(user, client_id) -> CheckIn | None:
    """The user's own check-in by the phone's client id, with its findings and their cases — what
    the landing page confirms after 打卡. Only the worker's own: another worker's client id (or a
    malformed one) is the same as none."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        client_id = uuid.UUID(str(client_id))
    except (TypeError, ValueError, AttributeError):
        return None
    return (CheckIn.objects.filter(client_id=client_id, worker=user).select_related("point")
            .prefetch_related(Prefetch("findings", Finding.objects.select_related("case").order_by("pk")))
            .first())


def finding_for(user, pk) -> Finding:
    return _one(findings_visible_to(user).select_related("case", "point", "checkin"), pk)


def patrol_grids(user) -> list[Region]:
    """The grids ``user`` walks (as a worker, chief, building or unit chief)."""
    regions = Scope.of(user).regions_for(PATROL_ROLES)
    return [r for r in regions if r.level == RegionLevel.GRID]


def is_grid_chief(user) -> bool:
    return Scope.of(user).has_any({Role.GRID_CHIEF}) or Scope.of(user).everything


# ---------------------------------------------------------------------------------------------
# The worker's day (今日巡查)
# ---------------------------------------------------------------------------------------------


@dataclass
class DueVisit:
    """One visit on the worker's list: plain values (a list of 500 is read as tuples, not rows)."""

    slot_id: int
    point_id: int
    name: str
    point_class: str
    frequency: str
    latitude: float
    longitude: float
    window_start: dt.date
    window_end: dt.date
    distance_m: float | None = None
    overdue_since: dt.date | None = None

    @property
    def point(self) -> PatrolPoint:
        return PatrolPoint.objects.get(pk=self.point_id)

    @property
    def slot(self) -> VisitSlot:
        return VisitSlot.objects.get(pk=self.slot_id)

    @property
    def class_label(self) -> str:
        return PointClass(self.point_class).label

    @property
    def frequency_label(self) -> str:
        return Frequency(self.frequency).label


@dataclass
class Today:
    day: dt.date
    due: list[DueVisit] = field(default_factory=list)
    overdue: list[DueVisit] = field(default_factory=list)
    done: int = 0


def _mine(user, queryset: QuerySet, *, whole_grid: bool) -> QuerySet:
    """A worker's own points (theirs or nobody's); the grid chief (``whole_grid``) sees all."""
    if whole_grid:
        return queryset
    return queryset.filter(Q(point__responsible=user) | Q(point__responsible__isnull=True))


_VISIT_FIELDS = ("pk", "point_id", "point__name", "point__point_class", "point__frequency", "point__latitude",
                 "point__longitude", "window_start", "window_end")


def _visit(row: tuple, **extra) -> DueVisit:
    return DueVisit(*row, **extra)


def today_for(user, *, grid: Region | None = None, latitude: float | None = None, longitude: float | None = None,
              whole_grid: bool | None = None, day: dt.date | None = None) -> Today:
    """今日巡查 — the visits due today (nearest first when the phone's position is given), and
    the overdue ones: a window that closed in the last days without a check-in, at a point not
    visited since. A grid chief sees the whole grid; a worker their own points. Two queries."""
    day = day or today()
    whole_grid = is_grid_chief(user) if whole_grid is None else whole_grid
    # A retired grid's points are not due, even before its points have been switched off.
    slots = slots_visible_to(user).filter(point__is_active=True, grid__is_active=True)
    if grid is not None:
        slots = slots.filter(grid=grid)
    slots = _mine(user, slots, whole_grid=whole_grid)
    out = Today(day=day)
    visited_now = set()
    for row in slots.filter(window_end__gte=day, window_start__lte=day).values_list("status", *_VISIT_FIELDS):
        status, rest = row[0], row[1:]
        if status == SlotStatus.OPEN:
            out.due.append(_visit(rest))
        else:
            visited_now.add(rest[1])  # done, or cancelled: not due now
            out.done += status == SlotStatus.DONE
    since = day - dt.timedelta(days=patrol_settings.overdue_days())
    missed = (slots.filter(window_end__lt=day, window_end__gte=since, status__in=[SlotStatus.OPEN, SlotStatus.MISSED])
              .order_by("point_id", "-window_end").values_list(*_VISIT_FIELDS))
    seen = set()
    for row in missed:
        point_id = row[1]
        if point_id in seen or point_id in visited_now:
            continue
        seen.add(point_id)
        out.overdue.append(_visit(row, overdue_since=row[-1] + dt.timedelta(days=1)))
    if latitude is not None and longitude is not None:
        for visit in (*out.due, *out.overdue):
            visit.distance_m = haversine_m(latitude, longitude, visit.latitude, visit.longitude)
        out.due.sort(key=lambda v: v.distance_m)
        out.overdue.sort(key=lambda v: v.distance_m)
    else:
        out.due.sort(key=lambda v: (v.window_end, v.name))
        out.overdue.sort(key=lambda v: (v.overdue_since, v.name))
    return out


def missed_slots(queryset: QuerySet[VisitSlot], *, on: dt.date | None = None) -> QuerySet[VisitSlot]:
    """Slots whose window closed (before ``on``) with no check-in — exact, whether or not the
    periodic job has marked them yet."""
    on = on or today()
    return queryset.filter(window_end__lt=on, status__in=[SlotStatus.OPEN, SlotStatus.MISSED])


def route_of(user, *, worker: User, day: dt.date) -> list[CheckIn]:
    """The day's route: ``worker``'s check-ins of that local day, in time order (those the viewer
    may see)."""
    start, end = day_bounds(day)
    return list(checkins_visible_to(user).filter(worker=worker, client_time__gte=start, client_time__lt=end)
                .select_related("point").order_by("client_time", "pk"))


def officers_of(grid_id: int) -> QuerySet[GridOfficer]:
    return GridOfficer.objects.filter(grid_id=grid_id, is_active=True).select_related("user", "department", "role")
