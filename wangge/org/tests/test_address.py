"""地址查找: characters, 拼音 initials and full 拼音, over names and aliases; each hit sets its grid."""

from __future__ import annotations

import pytest

from wangge.org import address
from wangge.org.choices import RegionLevel
from wangge.testing import add_region, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    world = build_world()
    grid = world.grids[1]
    grid.aliases = "和顺里小区\n和平路1-60号"
    grid.save(update_fields=["aliases", "updated_at"])
    building = add_region(world.grids[2], RegionLevel.BUILDING, "湖畔家园5号楼")
    add_region(building, RegionLevel.UNIT, "5号楼2单元")
    return world, building


def test_initials_find_an_alias_and_set_its_grid(places):
    world, _building = places
    hit = address.search("hsl")[0]
    assert hit.text == "和顺里小区" and hit.grid_id == world.grids[1].pk
    assert hit.community_id == world.communities[0].pk
    assert "东园社区" in hit.label


def test_characters_and_full_pinyin(places):
    world, building = places
    assert address.search("湖畔")[0].region_id == building.pk
    assert address.search("hupan")[0].region_id == building.pk
    assert address.search("和平路")[0].grid_id == world.grids[1].pk


def test_a_unit_sets_its_buildings_grid(places):
    world, building = places
    unit = next(p for p in address.search("5号楼2单元") if p.level == RegionLevel.UNIT)
    assert unit.grid_id == world.grids[2].pk and "湖畔家园5号楼" in unit.context


def test_retired_places_and_rubbish_find_nothing(places):
    world, building = places
    building.is_active = False
    building.save(update_fields=["is_active", "updated_at"])
    assert not [p for p in address.search("湖畔") if p.region_id == building.pk]
    assert address.search("") == [] and address.search("zzzzqqq") == []
    assert len(address.search("x" * 500)) <= 10
