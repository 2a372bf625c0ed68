"""The neighbourhood tests' world: in grid A1 (东园第1网格) buildings 1 and 2, each with units 1
and 2, a household in each unit; a grid chief (staff), a building chief of building 1 and a
volunteer unit chief of building 1 unit 1; resources of each tier."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache

from wangge.neighbourhood import actions
from wangge.neighbourhood.choices import ResourceTier, SelectionMethod
from wangge.neighbourhood.models import NeedClass
from wangge.org.choices import RegionLevel, Role
from wangge.org.models import Region
from wangge.residents.models import Household, Resident
from wangge.testing import build_world
from wangge.testing.factories import LAT0, LNG0, add_region, make_user

TODAY = dt.date(2026, 1, 1)


@dataclass
class Hood:
    world: object
    buildings: list = field(default_factory=list)
    units: dict = field(default_factory=dict)        # (building no, unit no) → Region
    households: dict = field(default_factory=dict)   # (building no, unit no) → Household
    chiefs: dict = field(default_factory=dict)       # "grid", "b1", "u11" → Chief
    resources: dict = field(default_factory=dict)    # tier → Resource
    classes: dict = field(default_factory=dict)      # code → NeedClass

    @property
    def secretary(self):
        return self.world.users["secretary_a"]

    @property
    def leader(self):
        return self.world.users["leader"]

    def user(self, key):
        return self.chiefs[key].user


def fresh(world):
    regions = Region.objects.in_bulk([r.pk for r in (world.city, world.district, world.subdistrict,
                                                     *world.communities, *world.grids)])
    world.city, world.district, world.subdistrict = (regions[r.pk] for r in (world.city, world.district,
                                                                             world.subdistrict))
    world.communities = [regions[r.pk] for r in world.communities]
    world.grids = [regions[r.pk] for r in world.grids]
    return world


@pytest.fixture
def world(db):
    return fresh(build_world())


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def hood(world) -> Hood:
    h = Hood(world=world)
    grid = world.grids[0]
    for b in (1, 2):
        building = add_region(grid, RegionLevel.BUILDING, f"{b}号楼")
        h.buildings.append(building)
        for u in (1, 2):
            unit = add_region(building, RegionLevel.UNIT, f"{b}号楼{u}单元")
            h.units[(b, u)] = unit
    # Paths of the new nodes are final only once all are added: read them back.
    h.buildings = [Region.objects.get(pk=b.pk) for b in h.buildings]
    h.units = {k: Region.objects.get(pk=v.pk) for k, v in h.units.items()}
    for (b, u), unit in h.units.items():
        hh = Household.objects.create(unit=unit, room=f"{u}01")
        Resident.objects.create(name=f"住户{b}{u}", phone=f"1390000{b}{u}00", household=hh)
        h.households[(b, u)] = hh
    fresh(world)
    sec = world.users["secretary_a"]
    grid_chief_user = make_user(Role.GRID_CHIEF, region=world.grids[0], username="gridchief")
    h.chiefs["grid"] = actions.appoint_chief(actor=sec, region=world.grids[0], user=grid_chief_user,
                                             selection_method=SelectionMethod.ORGANISATION, term_start=TODAY)
    b1_user = make_user(Role.BUILDING_CHIEF, region=h.buildings[0], username="b1chief")
    h.chiefs["b1"] = actions.appoint_chief(actor=sec, region=h.buildings[0], user=b1_user,
                                           selection_method=SelectionMethod.JOINT, term_start=TODAY,
                                           is_party_member=True, compound_type="old_unmanaged")
    volunteer = Resident.objects.create(name="王大妈", phone="13700001111")
    h.chiefs["u11"] = actions.appoint_chief(actor=sec, region=h.units[(1, 1)], resident=volunteer,
                                            selection_method=SelectionMethod.SELF, term_start=TODAY)
    # The classes come with migration 0002; a transactional test's flush empties the table.
    classes = importlib.import_module("wangge.neighbourhood.migrations.0002_need_classes_and_snapshot_guard").CLASSES
    for order, (code, name) in enumerate(classes, start=1):
        NeedClass.objects.get_or_create(code=code, defaults={"name": name, "order": order * 10})
    h.classes = {c.code: c for c in NeedClass.objects.all()}
    lng, lat = LNG0 + 0.005, LAT0 + 0.005
    h.resources[ResourceTier.CONVENIENCE] = actions.create_resource(
        actor=sec, name="放心粮店", provider="李记粮油", tier=ResourceTier.CONVENIENCE,
        classes=[h.classes["convenience"]], area=world.communities[0], contact_name="李老板",
        contact_phone="13811112222", longitude=lng, latitude=lat, capacity=30)
    h.resources[ResourceTier.CIVIC] = actions.create_resource(
        actor=sec, name="五色光志愿服务队", provider="五色光", tier=ResourceTier.CIVIC,
        classes=[h.classes["volunteer"], h.classes["elderly_care"], h.classes["convenience"]],
        area=world.communities[0], longitude=lng + 0.02, latitude=lat)
    h.resources[ResourceTier.SOCIAL] = actions.create_resource(
        actor=world.users["leader"], name="社区法律服务站", provider="司法所", tier=ResourceTier.SOCIAL,
        classes=[h.classes["legal_aid"], h.classes["convenience"]], area=world.subdistrict)
    return h


@pytest.fixture
def published_quarter(hood):
    """2025 Q3 published, with one rated service (the minimum 1)."""
    from zoneinfo import ZoneInfo

    from wangge.neighbourhood.models import Rating

    service = actions.record_service(actor=hood.user("u11"), resource=hood.resources[ResourceTier.CONVENIENCE],
                                     household=hood.households[(1, 1)], description="代买蔬菜")
    actions.rate_service(service=service, household=hood.households[(1, 1)], service_score=5, chief_score=4)
    Rating.objects.update(rated_at=dt.datetime(2025, 8, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    period = actions.review_quarter(actor=hood.leader, subdistrict=hood.world.subdistrict, year=2025, quarter=3,
                                    min_ratings=1)
    return actions.publish_quarter(actor=hood.leader, period=period)
