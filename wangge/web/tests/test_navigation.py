"""The staff menu carries the pages apps register (core.navigation), each only for those who may use it."""

import pytest

pytestmark = pytest.mark.django_db


def _menu(client, user) -> str:
    client.force_login(user)
    html = client.get("/").content.decode()
    return html[html.index('class="mainnav"'):html.index("</nav>")]


def test_an_intake_clerk_sees_the_intake_pages_apps_added(world, client):
    menu = _menu(client, world.users["clerk"])
    assert 'href="/qrcodes/"' in menu and "二维码" in menu
    assert 'href="/intake/12345/"' in menu and "12345 工单" in menu


def test_a_grid_worker_does_not(world, client):
    menu = _menu(client, world.users["worker_a1"])
    assert "/qrcodes/" not in menu and "/intake/12345/" not in menu


def test_a_grid_held_in_two_roles_is_named_once(world, client):
    """The grid chief who is also the grid's street chief: "东园第1网格", not the grid twice."""
    from wangge.org.choices import Role
    from wangge.org.models import RoleAssignment
    from wangge.testing import make_user

    grid = world.grids[0]
    chief = make_user(Role.GRID_CHIEF, region=grid)
    RoleAssignment.objects.create(user=chief, role=Role.STREET_CHIEF_L3, region=grid)
    client.force_login(chief)
    html = client.get("/").content.decode()
    heading = html[html.index("<h1>"):html.index("</h1>")]
    assert heading.count(grid.name) == 1
