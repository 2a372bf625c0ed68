"""What patrols do when the territory changes: a retired grid's points stop being due and its
sunk-in officers (一格八员) leave it. The past (check-ins, findings, missed visits) stays on record."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wangge.core.events import DomainEvent
from wangge.org.choices import RegionLevel
from wangge.org.retirement import Impact

from .choices import SlotStatus
from .models import GridOfficer, PatrolPoint, VisitSlot
from .windows import today


def stop_patrols_of_retired_grids(event: DomainEvent) -> dict:
    """``region_retired``: the points of the retired grids stop (no slot is made for them, none
    is due or overdue), their open slots from today on go (as when a point is switched off), and
    the grids' officers leave them. Idempotent."""
    grid_ids = event.payload.get("grid_ids") or []
    points = PatrolPoint.objects.filter(grid_id__in=grid_ids, is_active=True)
    stopped = points.update(is_active=False)
    dropped, _rows = VisitSlot.objects.filter(grid_id__in=grid_ids, status=SlotStatus.OPEN, window_end__gte=today(),
                                              checkin__isnull=True).delete()
    left = GridOfficer.objects.filter(grid_id__in=grid_ids, is_active=True).update(is_active=False,
                                                                                  retired_at=timezone.now())
    return {"points": stopped, "slots": dropped, "officers": left}


def concerns_grids(event: DomainEvent) -> bool:
    return bool(event.payload.get("grid_ids"))


def _grids_under(region):
    return {"grid__path__startswith": region.path} if region.level != RegionLevel.GRID else {"grid": region}


def points_at(region) -> Impact | None:
    """Retirement impact: the active patrol points of the grids at or under the place."""
    points = PatrolPoint.objects.filter(is_active=True, **_grids_under(region))
    count = points.count()
    if not count:
        return None
    return Impact(
        label=_("Patrol points"), count=count,
        consequence=ngettext("It stops being due: no more visits, nothing overdue. Its past visits stay on record.",
                             "They stop being due: no more visits, nothing overdue. Their past visits stay on record.",
                             count),
        names=[p.name for p in points.order_by("grid_id", "name")[:10]],
    )


def officers_at(region) -> Impact | None:
    """Retirement impact: the officers sunk into the grids at or under the place (一格八员)."""
    officers = GridOfficer.objects.filter(is_active=True, **_grids_under(region)).select_related("user", "role")
    count = officers.count()
    if not count:
        return None
    return Impact(
        label=_("Grid officers (一格八员)"), count=count,
        consequence=_("They leave the grid: a whistle there no longer summons them."),
        names=[f"{o.user} · {o.role}" for o in officers.order_by("grid_id", "pk")[:10]],
    )
