"""Fixtures of the key-person tests: the shared world, a grid chief and a second worker in A1,
the six default tags, and a helper that registers a person."""

from __future__ import annotations

import datetime as dt

import pytest

from wangge.keypersons import actions
from wangge.keypersons.models import KeyPersonTag
from wangge.org.choices import Role
from wangge.org.models import Region
from wangge.testing import build_world
from wangge.testing.factories import make_user


@pytest.fixture
def world(db):
    """The test world with its regions read back (their tree paths are final)."""
    world = build_world()
    fresh = Region.objects.in_bulk([r.pk for r in (world.city, world.district, world.subdistrict,
                                                   *world.communities, *world.grids)])
    world.city, world.district, world.subdistrict = (fresh[r.pk] for r in (world.city, world.district, world.subdistrict))
    world.communities = [fresh[r.pk] for r in world.communities]
    world.grids = [fresh[r.pk] for r in world.grids]
    world.users["chief_a1"] = make_user(Role.GRID_CHIEF, region=world.grids[0], username="chief_a1")
    world.users["worker_a1b"] = make_user(Role.GRID_WORKER, region=world.grids[0], username="worker_a1b")
    return world


@pytest.fixture
def tags(db):
    """The six default tags (made by migration 0002; made here too when tests run without migrations)."""
    from importlib import import_module

    for code, name, order in import_module("wangge.keypersons.migrations.0002_default_tags").TAGS:
        KeyPersonTag.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    return {t.code: t for t in KeyPersonTag.objects.all()}


@pytest.fixture
def register(world, tags):
    def make(*, grid=None, worker="worker_a1", tag="elderly_alone", registered_at=None, name="张秀英",
             phone="13812345678", **extra):
        w = world.users[worker] if isinstance(worker, str) else worker
        grid = grid or world.grids[0]
        actor = world.users["secretary_a" if grid in world.grids[:2] else "secretary_b"]
        return actions.register_key_person(
            actor=actor, grid=grid, name=name, phone=phone,
            id_number=extra.pop("id_number", "110105194901011234"), address=extra.pop("address", "东园小区3号楼2单元501"),
            tags=[tags[tag]], worker=w, registered_at=registered_at, **extra)
    return make


def local(y, m, d, hh=10, mm=0) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime(y, m, d, hh, mm, tzinfo=ZoneInfo("Asia/Shanghai"))
