"""A grid's boundary may not cover another active grid's ground — not across communities, not
across sub-districts — beyond a sliver along the shared edge; a dedicated grid (专属) drawn over
an ordinary grid of its own sub-district is the one overlap the territory is built for."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from wangge.org import geo
from wangge.org.choices import GridType, RegionLevel, Role
from wangge.org.models import Region
from wangge.testing import build_world, make_user
from wangge.testing.factories import CELL, LAT0, LNG0, add_region, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    fresh = Region.objects.in_bulk([r.pk for r in (world.district, world.subdistrict, *world.communities,
                                                   *world.grids)])
    world.district, world.subdistrict = fresh[world.district.pk], fresh[world.subdistrict.pk]
    world.communities = [fresh[r.pk] for r in world.communities]
    world.grids = [fresh[r.pk] for r in world.grids]
    return world


@pytest.fixture
def client(world):
    sysadmin = make_user(Role.ADMIN, region=world.district, username="sysadmin")
    sysadmin.is_staff = True
    sysadmin.save()
    client = Client()
    client.force_login(sysadmin)
    return client


@pytest.fixture
def other_community(world):
    """新华街道 / 新华第一社区: another sub-district of the same district."""
    subdistrict = add_region(world.district, RegionLevel.SUBDISTRICT, "新华街道")
    return add_region(subdistrict, RegionLevel.COMMUNITY, "新华第一社区")


def _grid_form(community, boundary: dict, *, name="新华第二网格", grid_type=GridType.URBAN) -> dict:
    return {"name": name, "code": "xh-g2", "level": RegionLevel.GRID, "grid_type": grid_type, "is_active": "on",
            "aliases": "", "boundary": json.dumps(boundary), "treebeard_position": "sorted-child",
            "treebeard_ref_node": community.pk}


def test_a_grid_overlapping_one_of_another_subdistrict_is_refused_naming_it(world, client, other_community):
    # Half of it lies over 东园第1网格 (和平街道).
    boundary = square(LNG0 + CELL / 2, LAT0)
    response = client.post("/admin/org/region/add/", _grid_form(other_community, boundary))
    page = response.content.decode()
    assert response.status_code == 200
    assert "与网格“东园第1网格”" in page and "重叠" in page and "和平街道" in page
    assert "新华第二网格" in page and "xh-g2" in page  # what was typed is still there
    assert not Region.objects.filter(name="新华第二网格").exists()
    lng, lat = world.point_in(world.grids[0])
    assert geo.find_grid(lng + CELL / 4, lat) == world.grids[0]


def test_a_sliver_along_the_shared_edge_is_digitising_noise(world, client, other_community):
    # Two metres into 东园第2网格 along their whole shared edge (x = LNG0 + 2·CELL).
    two_metres = 2 / 85_000
    boundary = square(LNG0 + 2 * CELL - two_metres, LAT0)
    response = client.post("/admin/org/region/add/", _grid_form(other_community, boundary))
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Region.objects.get(name="新华第二网格").is_active


def test_a_dedicated_grid_over_an_ordinary_one_of_its_subdistrict_is_allowed_and_said(world, client):
    boundary = square(LNG0 + CELL / 4, LAT0 + CELL / 4, CELL / 4)  # a school inside 东园第1网格
    form = _grid_form(world.communities[0], boundary, name="东园小学专属网格", grid_type=GridType.DEDICATED)
    response = client.post("/admin/org/region/add/", form, follow=True)
    assert Region.objects.filter(name="东园小学专属网格", is_active=True).exists()
    assert "东园第1网格" in response.content.decode()  # the warning names the grid it overlaps
    lng, lat = LNG0 + CELL * 3 / 8, LAT0 + CELL * 3 / 8
    assert geo.find_grid(lng, lat).name == "东园小学专属网格"  # the smaller grid wins the point


def test_an_ordinary_grid_over_an_ordinary_one_of_its_own_community_is_refused_too(world, client):
    form = _grid_form(world.communities[0], square(LNG0 + CELL / 2, LAT0 + CELL / 2), name="东园第3网格")
    response = client.post("/admin/org/region/add/", form)
    assert response.status_code == 200 and "重叠" in response.content.decode()
    assert not Region.objects.filter(name="东园第3网格").exists()


def test_overlaps_are_measured_in_square_metres():
    a = geo.parse_boundary(square(116.39, 39.96, 0.01))
    found = geo.overlaps(a)
    assert found == []  # no grids at all
    strip = geo.in_metres(geo.parse_boundary(square(116.39, 39.96, 0.001)))
    assert 8_000 < strip.area < 10_000  # ~85 m × 111 m at this latitude
