"""A role's jurisdiction is the level the role works at (a grid worker's a grid, never a whole
district), and one person holds one active role at one place once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from wangge.org.choices import ROLE_LEVELS, RegionLevel, Role
from wangge.org.models import RoleAssignment, User
from wangge.org.scope import Scope
from wangge.testing import build_world, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def client(world):
    sysadmin = make_user(Role.ADMIN, region=world.district, username="sysadmin")
    sysadmin.is_staff = True
    sysadmin.save()
    client = Client()
    client.force_login(sysadmin)
    return client


def _user_form(user: User, rows: list[dict], *, initial: int = 0) -> dict:
    form = {"username": user.username, "display_name": user.display_name, "phone": "", "email": "",
            "is_active": "on", "is_staff": "", "last_login_0": "", "last_login_1": "",
            "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
            "roles-TOTAL_FORMS": str(len(rows)), "roles-INITIAL_FORMS": str(initial), "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            form[f"roles-{i}-{key}"] = value
        form[f"roles-{i}-user"] = user.pk
    return form


def test_every_territory_role_has_its_levels():
    assert set(ROLE_LEVELS) == {r for r in Role if r != Role.DEPARTMENT_OFFICER}
    assert ROLE_LEVELS[Role.GRID_WORKER] == (RegionLevel.GRID,)
    assert ROLE_LEVELS[Role.UNIT_CHIEF] == (RegionLevel.UNIT,)


def test_a_grid_worker_over_a_district_is_refused_in_chinese_and_nothing_saved(world, client):
    person = make_user(username="zhangsan", display_name="张三")
    response = client.post(f"/admin/org/user/{person.pk}/change/", _user_form(person, [
        {"role": Role.GRID_WORKER, "region": world.district.pk, "department": "", "is_active": "on"}]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "网格员的辖区必须是网格；测试区是区。" in page
    assert not RoleAssignment.objects.filter(user=person).exists()
    assert Scope.of(User.objects.get(pk=person.pk)).all_regions() == []


def test_the_model_says_it_too(world):
    row = RoleAssignment(user=world.users["clerk"], role=Role.COMMUNITY_SECRETARY, region=world.grids[0])
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    assert "region" in caught.value.message_dict
    RoleAssignment(user=world.users["clerk"], role=Role.COMMUNITY_SECRETARY, region=world.communities[0]).full_clean()


def test_the_same_active_role_twice_is_refused(world, client):
    worker = world.users["worker_a1"]
    existing = worker.roles.get()
    rows = [{"id": existing.pk, "role": Role.GRID_WORKER, "region": world.grids[0].pk, "department": "",
             "is_active": "on"},
            {"role": Role.GRID_WORKER, "region": world.grids[0].pk, "department": "", "is_active": "on"}]
    response = client.post(f"/admin/org/user/{worker.pk}/change/", _user_form(worker, rows, initial=1))
    assert response.status_code == 200
    assert "此人已在该辖区担任这一岗位。" in response.content.decode()
    assert worker.roles.count() == 1
    # Two new identical rows in one submission: the same answer, not a 500.
    fresh = make_user(username="lisi")
    twice = [{"role": Role.GRID_WORKER, "region": world.grids[1].pk, "department": "", "is_active": "on"}] * 2
    response = client.post(f"/admin/org/user/{fresh.pk}/change/", _user_form(fresh, twice))
    assert response.status_code == 200 and "此人已在该辖区担任这一岗位。" in response.content.decode()
    assert not fresh.roles.exists()


def test_the_database_holds_one_active_row_and_keeps_ended_ones(world):
    worker, grid = world.users["worker_a1"], world.grids[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=worker, role=Role.GRID_WORKER, region=grid)
    officer = world.users["chengguan"]
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=officer, role=Role.DEPARTMENT_OFFICER,
                                      department=world.departments["chengguan"])
    worker.roles.update(is_active=False)  # ended: history
    RoleAssignment.objects.create(user=worker, role=Role.GRID_WORKER, region=grid)  # appointed again
    assert worker.roles.count() == 2
