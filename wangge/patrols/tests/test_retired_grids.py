"""A grid retired in the territory: its points stop being due, its officers leave it; the past
stays on record."""

from __future__ import annotations

import datetime as dt

import pytest

from wangge.org import actions as org_actions
from wangge.org.choices import Role
from wangge.patrols import actions
from wangge.patrols.models import GridOfficer, OfficerRole, PatrolPoint, VisitSlot
from wangge.patrols.selectors import today_for
from wangge.testing.factories import make_user

from .conftest import point_in

pytestmark = pytest.mark.django_db


def test_retiring_a_grid_stops_its_points_and_its_officers(world, client, clock, django_capture_on_commit_callbacks):
    clock.set(2026, 11, 24, 9)
    point = point_in(world, active_from=dt.date(2026, 11, 23))  # yesterday's visit missed: overdue
    other = point_in(world, 2, name="西园小吃")
    officer = actions.appoint_officer(actor=world.users["secretary_a"], grid=world.grids[0],
                                      user=world.users["chengguan"], department=world.departments["chengguan"],
                                      role=OfficerRole.objects.get_or_create(name="城管队员")[0])
    chief = world.users["chief_a1"]
    before = today_for(chief, grid=world.grids[0])
    assert len(before.due) == 1 and len(before.overdue) == 1
    missed = VisitSlot.objects.get(point=point, window_end=dt.date(2026, 11, 23))

    sysadmin = make_user(Role.ADMIN, region=world.district, username="sysadmin", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        org_actions.retire_region(region=world.grids[0], actor=sysadmin)

    assert not PatrolPoint.objects.get(pk=point.pk).is_active
    assert PatrolPoint.objects.get(pk=other.pk).is_active
    assert not GridOfficer.objects.get(pk=officer.pk).is_active
    assert not VisitSlot.objects.filter(point=point, status="open", window_end__gte=dt.date(2026, 11, 24)).exists()
    assert VisitSlot.objects.filter(pk=missed.pk).exists()  # the past stays on record
    # The worker's role ended with the grid: their patrol page lists nothing of it.
    client.force_login(world.users["worker_a1"])
    page = client.get("/patrols/").content.decode()
    assert 'data-testid="overdue-visit"' not in page and 'data-testid="due-visit"' not in page
    assert actions.generate_slots(first=dt.date(2026, 11, 25), last=dt.date(2026, 11, 25)) == 1  # 西园小吃 only


def test_a_retired_grids_points_are_not_due_even_before_the_reaction(world, clock, daily_point):
    clock.set(2026, 11, 24, 9)
    world.grids[0].is_active = False
    world.grids[0].save(update_fields=["is_active"])
    today = today_for(world.users["chief_a1"], grid=world.grids[0])
    assert today.due == [] and today.overdue == []
