"""A place retired in the territory: its codes stop — in the list, on paper and when scanned."""

from __future__ import annotations

import pytest

from wangge.intake.qrcodes import selectors
from wangge.intake.qrcodes.models import QrCode
from wangge.intake.qrcodes.signing import token_for
from wangge.org import actions as org_actions
from wangge.org.choices import Role
from wangge.testing.factories import make_user

pytestmark = pytest.mark.django_db


def _retire(world, region, callbacks):
    sysadmin = make_user(Role.ADMIN, region=world.district, username="sysadmin", is_staff=True)
    with callbacks(execute=True):  # after commit: the durable reaction runs (tasks run at once in tests)
        org_actions.retire_region(region=region, actor=sysadmin)
    return sysadmin


def test_retiring_a_community_stops_the_codes_of_its_grids_and_buildings(
        client, world, grid_code, building_code, django_capture_on_commit_callbacks):
    other = QrCode.objects.create(region=world.grids[2], community=world.communities[1], place_name="西园")
    sysadmin = _retire(world, world.communities[0], django_capture_on_commit_callbacks)
    grid_code.refresh_from_db()
    building_code.refresh_from_db()
    assert not grid_code.is_active and not building_code.is_active
    assert grid_code.retired_at and grid_code.retired_by == sysadmin
    assert QrCode.objects.get(pk=other.pk).is_active
    assert selectors.scan(token_for(grid_code.pk)).problem == "retired"


def test_the_list_shows_a_code_of_a_retired_place_as_stopped_even_before_the_reaction(client, world, grid_code):
    world.grids[0].is_active = False  # retired; the code's own row not caught up yet
    world.grids[0].save(update_fields=["is_active"])
    client.force_login(world.users["secretary_a"])
    response = client.get("/qrcodes/", {"community": world.communities[0].pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert "已随地点撤销停用" in page and "在用" not in page.split('data-testid="qr-codes"')[1]
    assert f"/qrcodes/{grid_code.pk}/sheet." not in page
    response = client.get(f"/qrcodes/{grid_code.pk}/sheet.pdf", {"size": "A4"}, follow=True)
    assert response["Content-Type"].startswith("text/html")  # back to the list, with the reason
    assert "不再打印码牌" in response.content.decode()
