"""The address search on the hotline form and the resident's report page sets the grid."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wangge.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def compound(world):
    grid = world.grids[3]
    grid.aliases = "湖畔家园"
    grid.save(update_fields=["aliases", "updated_at"])
    return grid


def test_hotline_files_in_the_grid_the_address_search_found(world, login, compound):
    client = login(world.users["clerk"])
    results = client.get(reverse("web:places"), {"q": "hpjy"}).json()["results"]
    assert results[0]["grid"] == compound.pk and results[0]["text"] == "湖畔家园"
    response = client.post(reverse("web:hotline"), {
        "description": "小区里路灯坏了", "grid": results[0]["grid"], "address": results[0]["text"] + "5号楼"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.grid_id == compound.pk and case.address == "湖畔家园5号楼"


def test_staff_search_needs_a_login(client, compound):
    assert client.get(reverse("web:places"), {"q": "hpjy"}).status_code == 302


def test_residents_search_places(client, compound):
    results = client.get(reverse("portal:places"), {"q": "湖畔"}).json()["results"]
    assert [r["grid"] for r in results] == [compound.pk]


def test_hotline_finds_the_grid_from_a_typed_address(world, login, compound):
    client = login(world.users["clerk"])
    response = client.post(reverse("web:hotline"), {"description": "垃圾没人清运", "address": "湖畔家园5号楼东门"})
    assert response.status_code == 302
    assert Case.objects.get().grid_id == compound.pk
