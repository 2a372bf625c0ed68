"""Making, retiring and listing codes: who may, where, and what is refused (nothing written)."""

from __future__ import annotations

import pytest

from wangge.core.errors import Forbidden, InvalidInput
from wangge.intake.qrcodes import actions, selectors
from wangge.intake.qrcodes.choices import QrKind
from wangge.intake.qrcodes.models import QrCode


def test_a_code_is_named_after_its_place_and_filed_under_its_community(grid_code, building_code, world):
    assert grid_code.place_name == "东园社区 · 东园第1网格" and grid_code.kind == QrKind.GRID
    assert building_code.place_name == "东园社区 · 东园第1网格 · 3号楼" and building_code.kind == QrKind.BUILDING
    assert grid_code.community == building_code.community == world.communities[0]


def test_a_code_can_point_at_any_object_in_its_place(world):
    """Points of interest come later: any saved row can be the code's target."""
    dept = world.departments["pingan"]  # stands in for a point of interest
    code = actions.create_qr_code(actor=world.users["clerk"], region=world.grids[1], place_name="平安岗亭", target=dept)
    assert code.target == dept and code.kind == QrKind.POINT and code.place_name == "平安岗亭"


def test_refusals_write_nothing(world, building):
    secretary_b = world.users["secretary_b"]
    with pytest.raises(Forbidden):  # another community's grid
        actions.create_qr_code(actor=secretary_b, region=world.grids[0])
    with pytest.raises(Forbidden):  # a grid worker does not run intake
        actions.create_qr_code(actor=world.users["worker_a1"], region=world.grids[0])
    with pytest.raises(InvalidInput):  # a community is too coarse
        actions.create_qr_code(actor=world.users["clerk"], region=world.communities[0])
    with pytest.raises(InvalidInput):
        actions.create_qr_code(actor=world.users["clerk"], region=world.grids[0], label="长" * 101)
    world.grids[1].is_active = False
    world.grids[1].save(update_fields=["is_active"])
    with pytest.raises(InvalidInput):
        actions.create_qr_code(actor=world.users["clerk"], region=world.grids[1])
    assert not QrCode.objects.exists()


def test_a_community_batch_makes_only_the_missing_codes(world, building, grid_code):
    made = actions.create_codes_for_community(actor=world.users["secretary_a"], community=world.communities[0])
    assert sorted(c.region.name for c in made) == ["3号楼", "东园第2网格"]
    assert actions.create_codes_for_community(actor=world.users["secretary_a"], community=world.communities[0]) == []
    with pytest.raises(Forbidden):
        actions.create_codes_for_community(actor=world.users["secretary_b"], community=world.communities[0])


def test_retiring_is_recorded_and_only_within_reach(world, grid_code):
    with pytest.raises(Forbidden):
        actions.retire_qr_code(actor=world.users["secretary_b"], code=grid_code)
    code = actions.retire_qr_code(actor=world.users["secretary_a"], code=grid_code)
    assert not code.is_active and code.retired_at and code.retired_by == world.users["secretary_a"]
    again = actions.retire_qr_code(actor=world.users["secretary_a"], code=grid_code)
    assert again.retired_at == code.retired_at


def test_staff_see_the_codes_of_their_territory_only(world, grid_code):
    assert list(selectors.codes_visible_to(world.users["secretary_a"])) == [grid_code]
    assert list(selectors.codes_visible_to(world.users["clerk"])) == [grid_code]
    assert list(selectors.codes_visible_to(world.users["secretary_b"])) == []
    assert list(selectors.codes_visible_to(world.users["worker_a1"])) == []
