"""Fixtures of the patrol tests: the shared world, read back fresh, and points in grid A1."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from wangge.org.choices import Role
from wangge.org.models import Region
from wangge.patrols import actions
from wangge.patrols.choices import Frequency, PointClass
from wangge.patrols.windows import SHANGHAI
from wangge.testing import build_world
from wangge.testing.factories import make_user


@pytest.fixture
def world(db):
    """The shared world, its regions read back (see intake/qrcodes/tests/conftest.py: paths of
    the returned objects may be stale once siblings are inserted)."""
    world = build_world()
    fresh = Region.objects.in_bulk([r.pk for r in (world.city, world.district, world.subdistrict,
                                                   *world.communities, *world.grids)])
    world.city, world.district, world.subdistrict = (fresh[r.pk] for r in (world.city, world.district, world.subdistrict))
    world.communities = [fresh[r.pk] for r in world.communities]
    world.grids = [fresh[r.pk] for r in world.grids]
    world.users["chief_a1"] = make_user(Role.GRID_CHIEF, region=world.grids[0], username="chief_a1")
    return world


class Clock:
    """``clock.set(2026, 11, 23, 10)`` — the moment (Asia/Shanghai) every ``timezone.now()`` returns."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.at = None

    def set(self, *args) -> dt.datetime:
        self.at = dt.datetime(*args, tzinfo=SHANGHAI)
        self.monkeypatch.setattr(timezone, "now", lambda: self.at)
        return self.at

    def advance(self, **kwargs) -> dt.datetime:
        self.at = self.at + dt.timedelta(**kwargs)
        return self.at


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def point_in(world, grid_index: int = 0, *, name: str = "老王小炒", point_class=PointClass.SMALL_SHOP,
             frequency=None, active_from=None, actor=None):
    lng, lat = world.point_in(world.grids[grid_index])
    return actions.create_point(actor=actor or world.users["secretary_a" if grid_index < 2 else "secretary_b"],
                                grid=world.grids[grid_index], name=name, point_class=point_class,
                                latitude=lat, longitude=lng, frequency=frequency, active_from=active_from)


def visit(world, point, *, worker=None, at=None, metres_north: float = 0, **extra):
    """A GPS check-in at ``point`` (``metres_north`` of it), at ``at`` (default: now)."""
    return actions.check_in(actor=worker or world.users["worker_a1"], client_id=extra.pop("client_id", uuid.uuid4()),
                            point=point, client_time=at or timezone.now(), latitude=point.latitude + metres_north / 111_195,
                            longitude=point.longitude, accuracy=10, **extra)


@pytest.fixture
def daily_point(world):
    return point_in(world)


@pytest.fixture
def weekly_point(world):
    return point_in(world, name="工行东园支行", point_class=PointClass.BANK)


__all__ = ["Frequency"]
