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
