"""Retiring (撤销) a place: the whole sub-tree goes, the roles over it end, the other apps hear of
it after commit, and the administrator is told first what it touches — open cases included,
which are left where they are for them to redispatch."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from wangge.cases.choices import CaseStatus
from wangge.core.errors import Forbidden, InvalidState
from wangge.core.models import PendingReaction
from wangge.intake.qrcodes import actions as qr_actions
from wangge.org import actions
from wangge.org.choices import RegionLevel, Role
from wangge.org.models import Region, RoleAssignment
from wangge.org.scope import Scope
from wangge.testing import build_world, case_in_state, make_user
from wangge.testing.factories import add_region

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    # Read back: paths of the returned objects may be stale once siblings were inserted.
    fresh = Region.objects.in_bulk([r.pk for r in (world.subdistrict, *world.communities, *world.grids)])
    world.subdistrict = fresh[world.subdistrict.pk]
    world.communities = [fresh[r.pk] for r in world.communities]
    world.grids = [fresh[r.pk] for r in world.grids]
    return world


@pytest.fixture
def sysadmin(world):
    user = make_user(Role.ADMIN, region=world.district, username="sysadmin")
    user.is_staff = True
    user.save()
    return user


def test_retiring_a_community_retires_its_grids_and_ends_the_roles_over_them(world, sysadmin,
                                                                            django_capture_on_commit_callbacks):
    community, (grid1, grid2) = world.communities[0], world.grids[:2]
    building = add_region(grid1, RegionLevel.BUILDING, "3号楼")
    chief = make_user(Role.BUILDING_CHIEF, region=building)
    with django_capture_on_commit_callbacks() as callbacks:
        done = actions.retire_region(region=community, actor=sysadmin)
    assert sorted(done.region_ids) == sorted([community.pk, grid1.pk, grid2.pk, building.pk])
    assert sorted(done.grid_ids) == sorted([grid1.pk, grid2.pk])
    assert not Region.objects.filter(pk__in=done.region_ids, is_active=True).exists()
    assert Region.objects.get(pk=grid2.pk).retired_at == Region.objects.get(pk=community.pk).retired_at
    assert world.communities[1].__class__.objects.get(pk=world.communities[1].pk).is_active  # the other one stays
    ended = RoleAssignment.objects.filter(pk__in=done.ended_assignment_ids)
    assert {a.user.username for a in ended} == {"secretary_a", "worker_a1", chief.username}
    assert not ended.filter(is_active=True).exists()
    worker = type(sysadmin).objects.get(username="worker_a1")
    assert Scope.of(worker).all_regions() == []  # their phone page shows nothing of the old grid
    # The apps that keep rows at a place hear of it through durable reactions, run after commit.
    assert set(PendingReaction.objects.values_list("subscriber", flat=True)) >= {
        "intake_qrcodes.retire_codes_of_retired_places", "patrols.stop_patrols_of_retired_grids"}
    assert callbacks  # the worker is kicked and the grid index dropped only once committed


def test_retiring_is_refused_without_permission_or_twice(world, sysadmin):
    with pytest.raises(Forbidden):
        actions.retire_region(region=world.grids[0], actor=world.users["worker_a1"])
    actions.retire_region(region=world.grids[0], actor=sysadmin)
    with pytest.raises(InvalidState):
        actions.retire_region(region=world.grids[0], actor=sysadmin)


def test_the_admin_says_what_retiring_touches_before_and_after(world, sysadmin):
    grid = world.grids[0]
    case_in_state(world, CaseStatus.DISPATCHED)  # filed in grid A1, with 城管
    qr_actions.create_qr_code(actor=world.users["secretary_a"], region=grid)
    client = Client()
    client.force_login(sysadmin)
    page = client.post("/admin/org/region/", {"action": "retire", "_selected_action": [grid.pk]})
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="retire-place"' in text
    assert "未办结事件 1" in text and f"/cases/?grid={grid.pk}&amp;is_open=true" in text
    assert "岗位 1" in text and "worker_a1" in text  # the grid worker's role over it
    assert "在用二维码 1" in text
    assert Region.objects.get(pk=grid.pk).is_active  # only asked, nothing changed yet

    done = client.post("/admin/org/region/", {"action": "retire", "_selected_action": [grid.pk], "post": "yes"},
                       follow=True)
    text = re.sub(r"\s+", " ", done.content.decode())
    assert not Region.objects.get(pk=grid.pk).is_active
    assert "已撤销" in text and "东园第1网格" in text
    assert "未办结事件：1" in text and "请改派" in text  # left to the admin, with the way to them
    assert not RoleAssignment.objects.filter(region=grid, is_active=True).exists()


def test_a_node_is_not_retired_by_unticking_it_nor_kept_in_use_under_a_retired_one(world, sysadmin):
    client = Client()
    client.force_login(sysadmin)
    community = world.communities[0]
    form = {"name": community.name, "code": community.code, "level": RegionLevel.COMMUNITY, "grid_type": "",
            "aliases": "", "boundary": "", "treebeard_position": "sorted-child", "treebeard_ref_node": world.subdistrict.pk}
    page = client.post(f"/admin/org/region/{community.pk}/change/", form)
    assert page.status_code == 200 and "请在列表中使用" in page.content.decode()
    assert Region.objects.get(pk=community.pk).is_active
