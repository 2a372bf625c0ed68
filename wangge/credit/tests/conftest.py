"""Fixtures of the credit tests: community A (东园社区) with a resident's account, rules, a store."""

from __future__ import annotations

import itertools

import pytest

from wangge.core.actors import Actor
from wangge.credit import actions
from wangge.credit.choices import Awarder, RuleUnit
from wangge.credit.models import CreditRule, Merchant
from wangge.org.models import Region
from wangge.residents.models import Resident
from wangge.testing import build_world
from wangge.testing.factories import add_region, make_user

_keys = itertools.count(1)


def key() -> str:
    return f"k-{next(_keys)}"


@pytest.fixture
def world(db):
    """The shared test world, its regions read back (their tree paths may have moved)."""
    world = build_world()
    fresh = Region.objects.in_bulk([r.pk for r in (world.city, world.district, world.subdistrict,
                                                   *world.communities, *world.grids)])
    world.city, world.district, world.subdistrict = (fresh[r.pk] for r in (world.city, world.district, world.subdistrict))
    world.communities = [fresh[r.pk] for r in world.communities]
    world.grids = [fresh[r.pk] for r in world.grids]
    return world


@pytest.fixture
def rules(db):
    return {
        "stairwell": CreditRule.objects.create(code="stairwell", name="最美楼道", points=20, awarded_by=Awarder.CHIEF),
        "volunteer": CreditRule.objects.create(code="volunteer", name="志愿服务", points=5, unit=RuleUnit.PER_HOUR,
                                               max_quantity=8, awarded_by=Awarder.COMMUNITY, expiry_months=12),
        "hazard": CreditRule.objects.create(code="hazard", name="隐患上报属实", points=10, awarded_by=Awarder.SYSTEM,
                                            trigger_event="case_accepted", trigger_channels="hotline,wechat"),
    }


def make_account(world, *, name="王小明", phone="13900001111", grid=0):
    resident = Resident.objects.create(name=name, phone=phone)
    return actions.open_account(actor=Actor.system(), region=world.grids[grid], resident=resident)


@pytest.fixture
def account(world):
    return make_account(world)


def make_unit(world, grid=0):
    """A building of grid ``grid`` (东园1号楼) and a unit of it (1号楼2单元); returns the unit."""
    from wangge.org.choices import RegionLevel

    building = add_region(world.grids[grid], RegionLevel.BUILDING, "东园1号楼")
    return add_region(building, RegionLevel.UNIT, "1号楼2单元")


@pytest.fixture
def household_account(world):
    """张秀兰's household at 东园1号楼 1号楼2单元, room 301; its account."""
    from wangge.residents.services import household_of

    unit = make_unit(world)
    resident = Resident.objects.create(name="张秀兰", phone="13912345678")
    household = household_of(resident=resident, unit=unit, room="301")
    return actions.open_account(actor=Actor.system(), region=unit, household=household)


def fund(world, account, rules, points=100):
    """``points`` of credit earned by volunteering hours (5 a hour), booked by the secretary."""
    entries = []
    while points > 0:
        hours = min(8, points // 5)
        entries.append(actions.award_credit(actor=world.users["secretary_a"], account=account,
                                            rule=rules["volunteer"], quantity=hours, request_key=key()))
        points -= hours * 5
    account.refresh_from_db()
    return entries


@pytest.fixture
def item(world):
    return actions.create_store_item(actor=world.users["secretary_a"], community=world.communities[0],
                                     name="洗衣粉", price=30, stock=5)


@pytest.fixture
def merchant(world):
    user = make_user(None, username="shop")
    return Merchant.objects.create(name="德誉超市", community=world.communities[0], user=user)
