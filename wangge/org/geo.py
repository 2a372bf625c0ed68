"""Point → grid lookup (坐标落格) over grid polygons with a shapely STRtree.

The index lives in each process and is rebuilt when the grids change: at once in the process
that changed them (``invalidate``), and within ``CHECK_SECONDS`` in every other process, which
compares a cheap fingerprint of the grid table (count and newest ``updated_at``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import shapely
from django.db.models import Count, Max
from shapely.geometry import shape

from .choices import RegionLevel

CHECK_SECONDS = 5.0


class InvalidGeometry(ValueError):
    pass


def parse_boundary(geojson: dict) -> shapely.Geometry:
    """A valid Polygon/MultiPolygon from GeoJSON (a geometry or a Feature), else InvalidGeometry."""
    if not isinstance(geojson, dict):
        raise InvalidGeometry("GeoJSON must be an object")
    if geojson.get("type") == "Feature":
        geojson = geojson.get("geometry") or {}
    if geojson.get("type") not in ("Polygon", "MultiPolygon"):
        raise InvalidGeometry("GeoJSON geometry must be a Polygon or MultiPolygon")
    try:
        geom = shape(geojson)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise InvalidGeometry(f"GeoJSON coordinates are malformed: {exc}") from exc
    if geom.is_empty or not geom.is_valid:
        raise InvalidGeometry("GeoJSON polygon is empty or self-intersecting")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidGeometry("GeoJSON coordinates must be longitude/latitude (WGS84)")
    return geom


@dataclass(frozen=True)
class GridIndex:
    """An immutable STRtree over the active grids' polygons."""

    tree: shapely.STRtree
    grid_ids: np.ndarray
    areas: np.ndarray

    @classmethod
    def build(cls, rows: list[tuple[int, dict]]) -> "GridIndex":
        geoms, ids = [], []
        for grid_id, boundary in rows:
            try:
                geom = parse_boundary(boundary)
            except InvalidGeometry:
                continue  # admin validation keeps these out; never let one bad row break intake
            shapely.prepare(geom)
            geoms.append(geom)
            ids.append(grid_id)
        return cls(
            tree=shapely.STRtree(geoms),
            grid_ids=np.array(ids, dtype=np.int64),
            areas=np.array([g.area for g in geoms]),
        )

    def lookup(self, lng: float, lat: float) -> int | None:
        """The id of the grid containing the point (the smallest, where grids overlap)."""
        hits = self.tree.query(shapely.Point(lng, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        if len(hits) == 1:
            return int(self.grid_ids[hits[0]])
        # Overlapping grids (a school inside an urban grid): the smallest wins. A point on the
        # edge between equal grids goes to the older grid (lowest id), the same every time.
        areas = self.areas[hits]
        smallest = hits[areas <= areas.min() * (1 + 1e-9)]
        return int(self.grid_ids[smallest].min())

    def __len__(self) -> int:
        return len(self.grid_ids)


_lock = threading.Lock()
_state: dict = {"index": None, "fingerprint": None, "checked": 0.0}


def _fingerprint():
    from .models import Region

    agg = Region.objects.filter(level=RegionLevel.GRID, is_active=True).aggregate(
        n=Count("id"), latest=Max("updated_at")
    )
    return (agg["n"], agg["latest"])


def grid_index() -> GridIndex:
    """The current index, rebuilt if the grids changed."""
    from .models import Region

    now = time.monotonic()
    with _lock:
        if _state["index"] is not None and now - _state["checked"] < CHECK_SECONDS:
            return _state["index"]
        fingerprint = _fingerprint()
        if _state["index"] is None or fingerprint != _state["fingerprint"]:
            rows = list(
                Region.objects.filter(
                    level=RegionLevel.GRID, is_active=True, boundary__isnull=False
                ).order_by("id").values_list("id", "boundary")
            )
            _state["index"] = GridIndex.build(rows)
            _state["fingerprint"] = fingerprint
        _state["checked"] = now
        return _state["index"]


def invalidate() -> None:
    with _lock:
        _state["index"] = None


def find_grid(lng: float, lat: float):
    """The active grid Region containing (lng, lat), or None."""
    from .models import Region

    for attempt in range(2):
        grid_id = grid_index().lookup(lng, lat)
        if grid_id is None:
            return None
        grid = Region.objects.filter(pk=grid_id, level=RegionLevel.GRID, is_active=True).first()
        if grid is not None:
            return grid
        invalidate()  # another process retired or removed it since this index was built
    return None
