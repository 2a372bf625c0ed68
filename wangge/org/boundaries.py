"""Which grid boundaries may overlap (网格边界重叠规则).

A point is given to one grid (``geo.find_grid``), so two grids that cover the same ground send
its cases to whichever wins — across communities, even across sub-districts. A boundary is
therefore refused when it runs into another active grid by more than a sliver along the edge
(``geo.SLIVER_METRES``), with one exception the territory is built for: a dedicated grid
(专属网格: a school, a market) drawn over an ordinary grid of the same sub-district. There the
smaller grid wins the point, on purpose; the administrator is told, not refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from django.utils.translation import gettext as _

from . import geo
from .choices import GridType, RegionLevel
from .models import Region


@dataclass(frozen=True)
class Verdict:
    refused: list[str]  # messages: the boundary may not be saved
    allowed: list[str]  # names of grids it overlaps on purpose (a dedicated grid over an ordinary one)


def _subdistrict_id(node: Region | None) -> int | None:
    if node is None:
        return None
    found = node.ancestor_at(RegionLevel.SUBDISTRICT)
    return found.pk if found else None


def check_grid_boundary(geom: shapely.Geometry, *, grid_type: str, parent: Region | None,
                        exclude_pk: int | None = None) -> Verdict:
    """Judge the boundary ``geom`` of an active grid of ``grid_type`` under ``parent`` (its
    community) against every other active grid."""
    refused, allowed = [], []
    own_subdistrict = _subdistrict_id(parent)
    for overlap in geo.overlaps(geom, exclude_pk=exclude_pk):
        if overlap.is_sliver:
            continue
        other = overlap.grid
        one_dedicated = (grid_type == GridType.DEDICATED) != (other.grid_type == GridType.DEDICATED)
        if one_dedicated and own_subdistrict is not None and _subdistrict_id(other) == own_subdistrict:
            allowed.append(other.name)
            continue
        refused.append(_(
            "This boundary overlaps the grid %(grid)s (%(place)s) by about %(area)s m². A point there would "
            "belong to two grids; redraw the boundary along the other grid's edge."
        ) % {"grid": other.name, "place": other.full_name, "area": f"{overlap.area_m2:,.0f}"})
    return Verdict(refused=refused, allowed=allowed)
