"""Point → grid lookup (坐标落格) over grid polygons with a shapely STRtree.

The index lives in each process and is rebuilt when the grids change: at once in the process
that changed them (``invalidate``), and within ``CHECK_SECONDS`` in every other process, which
compares a cheap fingerprint of the grid table (count and newest ``updated_at``).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

import numpy as np
import shapely
from django.db.models import Count, Max
from shapely.geometry import mapping, shape

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


def as_geojson(geom: shapely.Geometry) -> dict:
    """The geometry as the plain GeoJSON a grid's ``boundary`` stores (lists, not tuples)."""
    return json.loads(json.dumps(mapping(geom)))


# 重叠容差 — how far two grids may run into each other along a shared edge (digitising noise, a
# boundary drawn twice by hand) before it counts as an overlap: an overlap that vanishes when
# shrunk by this much on every side (nowhere wider than twice it) is a sliver.
SLIVER_METRES = 5.0
METRES_PER_DEGREE = 111_320.0


def in_metres(geom: shapely.Geometry) -> shapely.Geometry:
    """``geom`` (WGS84 degrees) on a local plane in metres, true enough at the scale of a grid."""
    lat0 = (geom.bounds[1] + geom.bounds[3]) / 2
    kx = METRES_PER_DEGREE * np.cos(np.radians(lat0))
    return shapely.transform(geom, lambda xy: xy * np.array([kx, METRES_PER_DEGREE]))


@dataclass(frozen=True)
class Overlap:
    """Another active grid a boundary runs into: by how much (m²), and whether that is a mere
    sliver along the edge (``SLIVER_METRES``)."""

    grid: object  # a Region
    area_m2: float
    is_sliver: bool


def overlaps(geom: shapely.Geometry, *, exclude_pk: int | None = None) -> list[Overlap]:
    """The active grids whose polygons share area with ``geom``, largest overlap first."""
    from .models import Region

    grids = Region.objects.filter(level=RegionLevel.GRID, is_active=True, boundary__isnull=False)
    if exclude_pk is not None:
        grids = grids.exclude(pk=exclude_pk)
    found = []
    shapely.prepare(geom)
    for grid in grids.order_by("path"):
        try:
            other = parse_boundary(grid.boundary)
        except InvalidGeometry:
            continue
        if not shapely.intersects(geom, other):
            continue
        common = in_metres(shapely.intersection(geom, other))
        if common.area <= 0:
            continue  # touching along an edge or at a corner
        found.append(Overlap(grid=grid, area_m2=common.area, is_sliver=common.buffer(-SLIVER_METRES).is_empty))
    return sorted(found, key=lambda o: -o.area_m2)


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
# "paths": grid id → its tree path, so that a hit's ancestors are found with the grid itself.
_state: dict = {"index": None, "paths": {}, "fingerprint": None, "checked": 0.0}


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
                ).order_by("id").values_list("id", "boundary", "path")
            )
            _state["index"] = GridIndex.build([(grid_id, boundary) for grid_id, boundary, _path in rows])
            _state["paths"] = {grid_id: path for grid_id, _boundary, path in rows}
            _state["fingerprint"] = fingerprint
        _state["checked"] = now
        return _state["index"]


def invalidate() -> None:
    with _lock:
        _state["index"] = None


def find_grid(lng: float, lat: float):
    """The active grid Region containing (lng, lat), or None."""
    line = find_grid_line(lng, lat)
    return line[-1] if line else None


def find_grid_line(lng: float, lat: float) -> list | None:
    """The active grid containing (lng, lat) and its ancestors, root first (city … community,
    grid), read in one query; None outside every grid. The index may be a few seconds old, so
    the hit is checked in the database: a grid retired meanwhile is never returned. The nodes
    come without their boundary (loaded if asked for)."""
    from .models import Region

    for attempt in range(2):
        index = grid_index()
        grid_id = index.lookup(lng, lat)
        if grid_id is None:
            return None
        path = _state["paths"].get(grid_id, "")
        prefixes = [path[:end] for end in range(Region.steplen, len(path) + 1, Region.steplen)]
        nodes = sorted(Region.objects.filter(path__in=prefixes).defer("boundary"), key=lambda n: n.path)
        grid = nodes[-1] if nodes else None
        if grid is not None and grid.pk == grid_id and grid.level == RegionLevel.GRID and grid.is_active \
                and len(nodes) == len(prefixes):
            return nodes
        invalidate()  # another process retired, removed or moved it since this index was built
    return None
