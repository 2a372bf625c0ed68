"""A user's role assignments are kept between requests, and never served after they changed
(org.rolecache, triggers of migration org 0005)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from wangge.org.choices import Role
from wangge.org.models import Department, Region, RoleAssignment, User
from wangge.org.services import issue_api_token
from wangge.testing import make_user

pytestmark = pytest.mark.django_db

FILE = "/api/v1/cases/"


def fresh(user: User) -> User:
    """The user as the next request loads it (session or token)."""
    return User.objects.get(pk=user.pk)


def roles_of(user: User) -> set[tuple]:
    return {(a.role, a.region_id, a.department_id) for a in fresh(user).role_assignments}


def role_queries(user: User) -> int:
    with CaptureQueriesContext(connection) as queries:
        list(user.role_assignments)
    return sum("org_roleassignment" in q["sql"] for q in queries.captured_queries)


def test_a_second_request_reads_no_assignments(world):
    clerk = world.users["clerk"]
    assert role_queries(fresh(clerk)) == 1
    assert role_queries(fresh(clerk)) == 0
    assert roles_of(clerk) == {(Role.INTAKE_CLERK, world.subdistrict.pk, None)}


def test_every_way_of_changing_an_assignment_is_seen_at_once(world):
    worker = world.users["worker_a1"]
    assert roles_of(worker) == {(Role.GRID_WORKER, world.grids[0].pk, None)}

    added = RoleAssignment.objects.create(user=worker, role=Role.GRID_CHIEF, region=world.grids[0])
    assert roles_of(worker) == {(Role.GRID_WORKER, world.grids[0].pk, None), (Role.GRID_CHIEF, world.grids[0].pk, None)}

    RoleAssignment.objects.filter(pk=added.pk).update(region=world.grids[1])  # no signal, no save()
    assert (Role.GRID_CHIEF, world.grids[1].pk, None) in roles_of(worker)

    RoleAssignment.objects.filter(user=worker).update(is_active=False)
    assert roles_of(worker) == set()

    RoleAssignment.objects.filter(user=worker).update(is_active=True)
    RoleAssignment.objects.filter(pk=added.pk).delete()
    assert roles_of(worker) == {(Role.GRID_WORKER, world.grids[0].pk, None)}

    # Handed to another user: both see it.
    other = make_user()
    RoleAssignment.objects.filter(user=worker).update(user=other)
    assert roles_of(worker) == set()
    assert roles_of(other) == {(Role.GRID_WORKER, world.grids[0].pk, None)}


def test_a_region_or_department_that_changes_is_seen_in_the_roles(world):
    worker, officer = world.users["worker_a1"], world.users["chengguan"]
    list(fresh(worker).role_assignments), list(fresh(officer).role_assignments)

    Region.objects.filter(pk=world.grids[0].pk).update(name="改名网格")
    assert [a.region.name for a in fresh(worker).role_assignments] == ["改名网格"]
    Region.objects.filter(pk=world.grids[0].pk).update(is_active=False)
    assert [a.region.is_active for a in fresh(worker).role_assignments] == [False]
    Department.objects.filter(pk=world.departments["chengguan"].pk).update(name="区城市管理综合执法局")
    assert [a.department.name for a in fresh(officer).role_assignments] == ["区城市管理综合执法局"]

    # Moving a region re-paths its subtree; an assignment on a node inside it sees the new path.
    community = world.communities[0]
    list(fresh(world.users["secretary_a"]).role_assignments)
    community.refresh_from_db()
    Region.objects.move(community, world.communities[1], pos="sorted-child")
    moved = Region.objects.get(pk=community.pk)
    assert [a.region.path for a in fresh(world.users["secretary_a"]).role_assignments] == [moved.path]
    assert [a.region.path for a in fresh(worker).role_assignments] == [Region.objects.get(pk=world.grids[0].pk).path]


def test_an_unrelated_region_change_keeps_the_cache(world):
    clerk = world.users["clerk"]
    list(fresh(clerk).role_assignments)
    Region.objects.filter(pk=world.grids[3].pk).update(name="别的网格")
    Region.objects.filter(pk=world.subdistrict.pk).update(aliases="和平里")  # not shown by the role
    assert role_queries(fresh(clerk)) == 0


def test_a_withdrawn_role_refuses_the_next_api_call(world):
    clerk = world.users["clerk"]
    _token, key = issue_api_token(user=clerk, name="test", days=1)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    lng, lat = world.point_in(world.grids[0])
    body = {"channel": "hotline", "description": "路灯不亮", "longitude": lng, "latitude": lat}
    assert client.post(FILE, body, format="json").status_code == 201
    RoleAssignment.objects.filter(user=clerk).update(is_active=False)
    assert client.post(FILE, body, format="json").status_code == 403


def test_the_triggers_survive_every_migration(db):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'org\\_%%moves\\_version'")
            names = {row[0] for row in cursor.fetchall()}
        assert names == {"org_roleassignment_moves_version", "org_region_moves_version",
                         "org_department_moves_version"}
    else:
        from importlib import import_module

        expected = set(import_module("wangge.org.migrations.0005_user_roles_version").SQLITE_TRIGGERS)
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            assert expected <= {row[0] for row in cursor.fetchall()}
