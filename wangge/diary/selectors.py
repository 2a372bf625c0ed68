"""Scoped reads of the diary: a worker reads their own days; their grid chief and everyone above
the grid read them too (the same territory rules as every app); anyone else gets "not found"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from wangge.core.errors import NotFound
from wangge.org.choices import RegionLevel, Role
from wangge.org.models import Region
from wangge.org.scope import FIELD_ROLES, Scope

from . import days
from .choices import DayStatus, NoteSection
from .models import DiaryDay, DiaryNote
from .sources import DiaryLine, lines_for

# Who reads and signs other workers' diaries: the chiefs and everyone above a grid.
SUPERVISOR_ROLES = frozenset({Role.GRID_CHIEF, Role.COMMUNITY_SECRETARY, Role.STREET_CHIEF_L1,
                              Role.STREET_CHIEF_L2, Role.LEADER, Role.ADMIN})
# Who keeps a diary: the field staff.
DIARIST_ROLES = FIELD_ROLES
DAY_FIELDS = {RegionLevel.GRID: "grid_id", RegionLevel.COMMUNITY: "community_id"}


def keeps_diary(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and any(
        a.role in DIARIST_ROLES for a in user.role_assignments))


def is_supervisor(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and Scope.of(user).has_any(SUPERVISOR_ROLES))


def home_grid(worker) -> Region | None:
    """The grid a field worker works in (their first field role's grid)."""
    for a in worker.role_assignments:
        if a.role in DIARIST_ROLES and a.region_id:
            return a.region.ancestor_at(RegionLevel.GRID) or a.region
    return None


def may_read(viewer, worker, grid: Region | None) -> bool:
    if not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.pk == worker.pk:
        return True
    scope = Scope.of(viewer)
    if scope.everything:
        return True
    if grid is None:
        return False
    return any(grid.path.startswith(r.path) for r in scope.regions_for(SUPERVISOR_ROLES))


def worker_for(viewer, worker_id) -> tuple[object, Region | None]:
    """The worker ``worker_id`` whose diary ``viewer`` may read, and their grid; else NotFound."""
    try:
        worker = get_user_model().objects.get(pk=int(worker_id))
    except (TypeError, ValueError, get_user_model().DoesNotExist):
        raise NotFound() from None
    grid = home_grid(worker)
    if not may_read(viewer, worker, grid):
        raise NotFound()
    return worker, grid


@dataclass
class DayView:
    """What a diary page shows: the day's row (or None, not started), its lines and notes."""

    worker: object
    day: dt.date
    row: DiaryDay | None
    lines: list[DiaryLine]
    notes: list[DiaryNote]

    @property
    def status(self) -> str:
        return self.row.status if self.row else DayStatus.OPEN

    def section(self, name: str) -> list:
        """Lines and notes of one column of the paper diary."""
        lines = [ln for ln in self.lines if ln.extra.get("section", NoteSection.WORK) == name]
        notes = [n for n in self.notes if n.section == name]
        return [*lines, *notes]


def frozen_lines(row: DiaryDay) -> list[DiaryLine]:
    return [DiaryLine(at=dt.datetime.fromisoformat(d["at"]), source=d["source"], text=d["text"],
                      url=d.get("url", ""), extra=d.get("extra") or {}) for d in row.lines]


def day_view(viewer, worker, day: dt.date, *, grid: Region | None = None) -> DayView:
    """The diary of ``worker`` on ``day`` as ``viewer`` sees it (scope checked by the caller via
    ``worker_for``). An open day is compiled live; a closed one shows its frozen lines."""
    row = DiaryDay.objects.filter(worker=worker, day=day).select_related("signed_by", "grid").first()
    if row is not None and not row.is_open:
        lines = frozen_lines(row)
    else:
        lines = lines_for(worker, day)
    notes = list(row.notes.select_related("author").order_by("written_at", "pk")) if row else []
    return DayView(worker=worker, day=day, row=row, lines=lines, notes=notes)


def days_visible_to(viewer) -> QuerySet[DiaryDay]:
    """Diary days ``viewer`` may read: their own, and those in the territory they supervise."""
    if not getattr(viewer, "is_authenticated", False):
        return DiaryDay.objects.none()
    scope = Scope.of(viewer)
    qs = DiaryDay.objects.select_related("worker", "grid", "signed_by")
    if scope.everything:
        return qs
    q = Q(worker=viewer)
    if scope.has_any(SUPERVISOR_ROLES):
        q |= scope.region_filter(roles=SUPERVISOR_ROLES, fields=DAY_FIELDS, region_field="grid")
    return qs.filter(q)


def awaiting_sign_off(viewer) -> QuerySet[DiaryDay]:
    return days_visible_to(viewer).filter(status=DayStatus.CLOSED).exclude(worker=viewer).order_by("-day", "pk")


def month_views(viewer, worker, year: int, month: int) -> list[DayView]:
    first = dt.date(year, month, 1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    end = min(last, days.today())
    out, day = [], first
    while day <= end:
        out.append(day_view(viewer, worker, day))
        day += dt.timedelta(days=1)
    return out
