"""Point → grid lookup (坐标落格) and GeoJSON validation."""

from __future__ import annotations

import pytest

from wangge.org import geo
from wangge.org.choices import GridType, RegionLevel
from wangge.org.geo import GridIndex, InvalidGeometry, parse_boundary
from wangge.org.models import Region
from wangge.testing import CELL, LAT0, LNG0, add_region, square


def test_point_inside_outside_and_on_the_edge(world):
    a1, a2, b1, _b2 = world.grids
    assert geo.find_grid(*world.point_in(a1)) == a1
    assert geo.find_grid(*world.point_in(b1)) == b1
    assert geo.find_grid(LNG0 - 0.001, LAT0 + 0.005) is None  # just west of A1
    assert geo.find_grid(LNG0 + 1, LAT0 + 1) is None
    # On A1's outer edge: still A1.
    assert geo.find_grid(LNG0, LAT0 + 0.005) == a1
    # On the edge A1 shares with A2: always the same one, the older grid.
    on_edge = [geo.find_grid(LNG0 + CELL, LAT0 + 0.005) for _ in range(3)]
    assert on_edge == [a1, a1, a1]


def test_overlapping_grids_give_the_smallest(world):
    """A dedicated grid (专属网格: a school) drawn inside an urban grid."""
    school = add_region(world.communities[0], RegionLevel.GRID, "实验小学专属网格", grid_type=GridType.DEDICATED,
                        boundary=square(LNG0 + 0.002, LAT0 + 0.002, 0.003))
    assert geo.find_grid(LNG0 + 0.003, LAT0 + 0.003) == school
    assert geo.find_grid(LNG0 + 0.008, LAT0 + 0.008) == world.grids[0]


def test_index_is_rebuilt_when_grids_are_added_or_retired(world):
    east = (LNG0 + 2 * CELL + 0.005, LAT0 + 0.005)
    assert geo.find_grid(*east) is None
    new = add_region(world.communities[0], RegionLevel.GRID, "东园第3网格", grid_type=GridType.URBAN,
                     boundary=square(LNG0 + 2 * CELL, LAT0))
    assert geo.find_grid(*east) == new
    new.is_active = False
    new.save()
    assert geo.find_grid(*east) is None
    # Redrawn polygon of an existing grid.
    a1 = world.grids[0]
    old_centre = world.point_in(a1)
    a1.boundary = square(LNG0 + 5 * CELL, LAT0)
    a1.save()
    assert geo.find_grid(*old_centre) is None
    assert geo.find_grid(LNG0 + 5 * CELL + 0.005, LAT0 + 0.005) == a1


def test_other_processes_notice_changes_by_fingerprint(world, monkeypatch):
    """A change made without signals (another process, a bulk update) is picked up once the
    fingerprint is checked again, and a stale hit on a retired grid is never returned."""
    point = world.point_in(world.grids[0])
    assert geo.find_grid(*point) == world.grids[0]
    Region.objects.filter(pk=world.grids[0].pk).update(is_active=False)  # no signal
    assert geo.find_grid(*point) is None  # the stale index hit is re-checked in the database
    monkeypatch.setattr(geo, "CHECK_SECONDS", 0.0)
    index = geo.grid_index()
    assert world.grids[0].pk not in set(index.grid_ids.tolist())
    assert len(index) == 3


def test_a_bad_stored_boundary_does_not_break_the_index(world):
    Region.objects.filter(pk=world.grids[3].pk).update(boundary={"type": "Polygon", "coordinates": [[1, 2]]})
    geo.invalidate()
    assert geo.find_grid(*world.point_in(world.grids[0])) == world.grids[0]
    assert len(geo.grid_index()) == 3


BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


@pytest.mark.parametrize(
    "geojson, words",
    [
        ("POLYGON((0 0, 1 0, 1 1, 0 0))", "object"),
        ({"type": "Point", "coordinates": [116.3, 39.9]}, "Polygon"),
        ({"type": "Polygon", "coordinates": [[116.3, 39.9]]}, "malformed"),
        ({"type": "Polygon", "coordinates": []}, "empty"),
        (BOWTIE, "self-intersecting"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [0, 100], [1, 100], [0, 0]]]}, "longitude/latitude"),
        ({"type": "Feature", "geometry": None}, "Polygon"),
    ],
)
def test_geojson_validation_errors(geojson, words):
    with pytest.raises(InvalidGeometry) as info:
        parse_boundary(geojson)
    assert words in str(info.value)


def test_geojson_accepted_forms():
    polygon = square(LNG0, LAT0)
    assert parse_boundary(polygon).area == pytest.approx(CELL * CELL)
    assert parse_boundary({"type": "Feature", "properties": {}, "geometry": polygon}).area == pytest.approx(CELL * CELL)
    multi = {"type": "MultiPolygon", "coordinates": [polygon["coordinates"], square(LNG0 + 1, LAT0)["coordinates"]]}
    assert parse_boundary(multi).area == pytest.approx(2 * CELL * CELL)


def test_lookup_finds_the_right_grid_among_20000():
    side = 0.001
    rows = [(i, square(100 + (i % 200) * side, 30 + (i // 200) * side, side)) for i in range(20_000)]
    index = GridIndex.build(rows)
    assert len(index) == 20_000
    points = [(100 + (i % 200) * side + side / 2, 30 + (i // 200) * side + side / 2) for i in range(0, 20_000, 7)]
    found = [index.lookup(lng, lat) for lng, lat in points]
    # Speed is measured by `make bench`; here: every point lands in its own grid.
    assert found == list(range(0, 20_000, 7))
