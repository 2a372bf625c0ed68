"""Fixtures of the meetings tests: the shared world (regions read back fresh), 2★ ledger cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wangge.cases import actions as case_actions
from wangge.meetings import actions, selectors
from wangge.meetings.choices import MeetingKind, MeetingLevel
from wangge.org.models import Department, Region
from wangge.testing import build_world, make_category
from wangge.testing.factories import file_case


@pytest.fixture
def world(db):
    """The shared test world, its regions read back from the database (tree paths stay right)."""
    world = build_world()
    fresh = Region.objects.in_bulk([r.pk for r in (world.city, world.district, world.subdistrict,
                                                   *world.communities, *world.grids)])
    world.city, world.district, world.subdistrict = (fresh[r.pk] for r in (world.city, world.district, world.subdistrict))
    world.communities = [fresh[r.pk] for r in world.communities]
    world.grids = [fresh[r.pk] for r in world.grids]
    return world


@pytest.fixture
def two_star(world):
    return make_category("噪音扰民", department=world.departments["chengguan"], star=2)


@pytest.fixture
def ledger_case(world, two_star):
    """An accepted 2★ case in community A (东园社区), reported by 张三 13812341234."""
    case = file_case(world, category=two_star, title="小区门口夜市噪音扰民")
    return case_actions.accept_case(case=case, actor=world.users["clerk"])


def when(days: int = 1) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


@pytest.fixture
def bimonthly(world):
    return actions.create_meeting(actor=world.users["secretary_a"], kind=MeetingKind.BIMONTHLY,
                                  level=MeetingLevel.COMMUNITY, region=world.communities[0], scheduled_at=when(),
                                  place="东园社区会议室")


def open_meeting(meeting, actor, *cases):
    """The agenda published, with a department at the table (the category's, as the convener
    would invite it) if none is invited yet: a 双月协商会 is not held without one."""
    for case in cases:
        actions.add_agenda_item(meeting=meeting, actor=actor, case=case)
    if selectors.without_departments(meeting):
        department = next((c.category.default_department for c in cases
                           if c.category_id and c.category.default_department_id), None)
        actions.add_participant(meeting=meeting, actor=actor,
                                department=department or Department.objects.filter(is_active=True).first())
    return actions.publish_agenda(meeting=meeting, actor=actor)
