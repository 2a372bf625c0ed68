"""org.scope: who reaches which rows, for any app's rows (snapshot columns or a region key)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from wangge.core.errors import NotFound
from wangge.org.models import RoleAssignment
from wangge.org.scope import (
    DISPATCHER_ROLES,
    FIELD_ROLES,
    Scope,
    can_file_cases,
    can_see_reporter,
    region_contains,
    region_q,
    require_visible,
)

pytestmark = pytest.mark.django_db


def snapshot_of(world, grid):
    """An object filed in ``grid``, placed by snapshot columns (like a case)."""
    community = world.communities[world.grids.index(grid) // 2]
    return SimpleNamespace(grid_id=grid.pk, community_id=community.pk, subdistrict_id=world.subdistrict.pk,
                           district_id=world.district.pk, region=grid)


def test_scope_of_a_user_lists_their_regions_and_departments(world):
    worker = Scope.of(world.users["worker_a1"])
    assert worker.all_regions() == [world.grids[0]] and not worker.everything
    assert worker.has_any(FIELD_ROLES) and not worker.has_any(DISPATCHER_ROLES)
    officer = Scope.of(world.users["chengguan"])
    assert officer.departments == {world.departments["chengguan"].pk} and officer.all_regions() == []
    assert Scope.of(world.users["worker_a1"]) is worker  # cached on the user


def test_region_q_uses_snapshot_columns_or_the_region_path(world):
    grid = world.grids[0]
    assert region_q(grid) == Q(grid_id=grid.pk)
    assert region_q(grid, "case__") == Q(case__grid_id=grid.pk)
    assert region_q(grid, fields=None) == Q(region__path__startswith=grid.path)
    assert region_q(grid, fields={"grid": "grid_ref_id"}) == Q(grid_ref_id=grid.pk)
    assert region_q(world.city, region_field="place") == Q(place__path__startswith=world.city.path)  # no column


def test_a_region_key_is_enough_to_scope_rows(world):
    """Rows of another app with only a region foreign key (here: role assignments)."""
    rows = RoleAssignment.objects.filter(region__isnull=False)
    secretary = Scope.of(world.users["secretary_a"])
    inside = set(secretary.restrict(rows, fields=None).values_list("user__username", flat=True))
    assert inside == {"secretary_a", "worker_a1"}
    leader = Scope.of(world.users["leader"])
    assert "worker_b1" in set(leader.restrict(rows, fields=None).values_list("user__username", flat=True))
    assert "admin_user" not in set(leader.restrict(rows, fields=None).values_list("user__username", flat=True))
    assert Scope.of(world.users["chengguan"]).restrict(rows, fields=None).count() == 0


def test_superusers_reach_everything(world):
    from wangge.testing import make_user

    root = Scope.of(make_user(username="root", is_superuser=True))
    assert root.region_filter() is None and root.department_filter() is None
    qs = RoleAssignment.objects.all()
    assert root.restrict(qs, fields=None).count() == qs.count()


def test_roles_narrow_the_territory(world):
    from wangge.org.choices import Role
    from wangge.testing import make_user

    both = make_user(Role.GRID_WORKER, region=world.grids[0], username="both")
    RoleAssignment.objects.create(user=both, role=Role.COMMUNITY_SECRETARY, region=world.communities[1])
    scope = Scope.of(both)
    b1 = snapshot_of(world, world.grids[2])
    assert scope.reaches(b1) and not scope.reaches(b1, roles=FIELD_ROLES)
    assert scope.reaches(snapshot_of(world, world.grids[0]), roles=FIELD_ROLES)


def test_in_memory_check_matches_the_filter(world):
    a1, b1 = snapshot_of(world, world.grids[0]), snapshot_of(world, world.grids[2])
    assert region_contains(world.communities[0], a1) and not region_contains(world.communities[0], b1)
    assert region_contains(world.city, a1)  # by path: no city column
    assert region_contains(world.grids[0], a1, fields=None)


def test_require_visible_is_not_found_outside_the_scope(world):
    a1, b1 = snapshot_of(world, world.grids[0]), snapshot_of(world, world.grids[2])
    assert require_visible(world.users["worker_a1"], a1) is a1
    with pytest.raises(NotFound):
        require_visible(world.users["worker_a1"], b1)
    with pytest.raises(NotFound):
        require_visible(AnonymousUser(), a1)

    class MeetingNotFound(NotFound):
        pass

    with pytest.raises(MeetingNotFound):
        require_visible(world.users["worker_a1"], b1, error=MeetingNotFound)


def test_capabilities(world):
    assert can_file_cases(world.users["worker_a1"]) and can_file_cases(world.users["clerk"])
    assert not can_file_cases(world.users["chengguan"]) and not can_file_cases(AnonymousUser())
    assert can_see_reporter(world.users["clerk"]) and not can_see_reporter(world.users["worker_a1"])


def test_cases_permissions_keeps_the_names():
    from wangge.cases import permissions
    from wangge.org import scope

    for name in ("Scope", "DISPATCHER_ROLES", "FIELD_ROLES", "CLAIMER_ROLES", "REPORTER_DATA_ROLES",
                 "INTAKE_ROLES", "LEVEL_FIELD", "region_q", "region_contains", "can_file_cases",
                 "can_see_reporter"):
        assert getattr(permissions, name) is getattr(scope, name), name
