"""地址查找 with numbers, as a caller gives them: a building's number typed in 拼音 initials
(hsxl12 → 和顺西里12号楼) and a door number on a street whose doors are kept in blocks
(安德路76号 → the block 安德路61-120号 and its grid)."""

from __future__ import annotations

import pytest

from wangge.org import address
from wangge.org.choices import RegionLevel
from wangge.testing import add_region, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def street():
    world = build_world()
    world.grids[1].aliases = "安德路1-60号"
    world.grids[1].save(update_fields=["aliases", "updated_at"])
    world.grids[2].aliases = "安德路61-120号"
    world.grids[2].save(update_fields=["aliases", "updated_at"])
    one = add_region(world.grids[0], RegionLevel.BUILDING, "和顺西里1号楼")
    twelve = add_region(world.grids[3], RegionLevel.BUILDING, "和顺西里12号楼")
    return world, one, twelve


def test_initials_keep_a_buildings_whole_number(street):
    _world, one, twelve = street
    assert address.initials("和顺西里12号楼") == "hsxl12hl"
    assert [p.region_id for p in address.search("hsxl12")] == [twelve.pk]
    assert address.search("hsxl1")[0].region_id == one.pk


@pytest.mark.parametrize("typed", ["安德路76号", "安德路76", "安德路 76 号", "安德路120号"])
def test_a_door_number_finds_the_block_it_is_in(street, typed):
    world, _one, _twelve = street
    hits = address.search(typed)
    assert hits and hits[0].text == "安德路61-120号" and hits[0].grid_id == world.grids[2].pk
    assert hits[0].as_json()["block"] is True
    assert all(p.grid_id != world.grids[1].pk for p in hits)


def test_a_door_outside_every_block_finds_none(street):
    assert address.search("安德路130号") == []


def test_a_typed_address_with_a_door_number_sets_the_blocks_grid(street):
    world, _one, _twelve = street
    assert address.place_in("安德路76号院3号楼东门").grid_id == world.grids[2].pk
    assert address.place_in("安德路8号").grid_id == world.grids[1].pk
    assert address.place_in("安德路130号") is None


def test_the_hotline_files_a_door_number_in_its_blocks_grid(street, client):
    from wangge.cases.models import Case

    world, _one, _twelve = street
    client.force_login(world.users["clerk"])
    response = client.post("/cases/new/", {"reporter_phone": "13900001111", "description": "楼道灯坏了",
                                           "grid": "", "address": "安德路76号"})
    assert response.status_code == 302
    assert Case.objects.get().grid_id == world.grids[2].pk
