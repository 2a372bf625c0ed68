"""我的个人信息 · 信息查看记录: each staff view of a resident's data is shown with the post the
viewer held *when they looked* (受理员 · 某街道), not the one they hold today — a clerk who has
since become a grid worker still viewed it as a clerk. Views logged before the post was recorded
fall back to the viewer's posts today."""

from __future__ import annotations

import pytest

from wangge.cases.actions.privacy import reveal_reporter
from wangge.cases.models import ReporterAccessLog
from wangge.org.choices import Role
from wangge.org.models.staff import RoleAssignment
from wangge.residents import selectors
from wangge.residents.models import ResidentAccessLog
from wangge.testing import file_case

from .test_mydata_anonymous import ME, PHONE, sign_in

pytestmark = pytest.mark.django_db


def move_to_a_grid(world, user):
    """The clerk leaves the hotline desk and becomes a grid worker."""
    RoleAssignment.objects.filter(user=user).update(is_active=False)
    RoleAssignment.objects.create(user=user, role=Role.GRID_WORKER, region=world.grids[0])


def views_on_the_page(client) -> list[str]:
    html = client.get(ME).content.decode()
    return [part.split("</li>")[0] for part in html.split('data-testid="mydata-view"')[1:]]


def test_a_view_shows_the_post_the_viewer_held_then(client, world):
    clerk = world.users["clerk"]
    case = file_case(world, reporter_phone=PHONE)
    reveal_reporter(case=case, actor=clerk)
    log = ResidentAccessLog.objects.get(resident=case.reporter)
    assert log.viewer_posts == [[Role.INTAKE_CLERK, world.subdistrict.name]]
    assert ReporterAccessLog.objects.get(case=case, granted=True).viewer_posts == log.viewer_posts

    move_to_a_grid(world, clerk)

    [view] = selectors.staff_views_of(case.reporter)
    assert view.roles == [f"{Role.INTAKE_CLERK.label} · {world.subdistrict.name}"]
    sign_in(client)
    [shown] = views_on_the_page(client)
    assert "受理员" in shown and "网格员" not in shown


def test_a_view_of_an_anonymous_report_shows_the_post_held_then(client, world):
    clerk = world.users["clerk"]
    case = file_case(world, reporter_anonymous=True, reporter_phone=PHONE)
    reveal_reporter(case=case, actor=clerk)
    move_to_a_grid(world, clerk)

    sign_in(client)
    [shown] = views_on_the_page(client)
    assert "受理员" in shown and "网格员" not in shown


def test_a_view_logged_before_posts_were_recorded_shows_the_post_held_today(client, world):
    clerk = world.users["clerk"]
    case = file_case(world, reporter_phone=PHONE)
    ResidentAccessLog.objects.create(resident=case.reporter, user=clerk, purpose=f"case {case.number}")
    assert ResidentAccessLog.objects.get().viewer_posts is None
    move_to_a_grid(world, clerk)

    sign_in(client)
    [shown] = views_on_the_page(client)
    assert "网格员" in shown and "受理员" not in shown
