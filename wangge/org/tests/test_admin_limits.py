"""What a 系统管理员 (not a superuser) may not do in the admin: raise an account above the role
groups, touch a superuser's account, or delete a place or a category that has anything under it."""

from __future__ import annotations

import pytest
from django.test import Client

from wangge.cases.models import Category
from wangge.org.choices import Role
from wangge.org.models import Region, User
from wangge.testing import build_world, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin_client():
    world = build_world()
    sysadmin = make_user(Role.ADMIN, region=world.district, username="sys")
    sysadmin.is_staff = True
    sysadmin.save()
    client = Client()
    client.force_login(sysadmin)
    return world, sysadmin, client


def _change_form(user: User, **changes) -> dict:
    form = {"username": user.username, "display_name": user.display_name, "phone": user.phone or "",
            "email": user.email, "is_active": "on", "is_staff": "on", "last_login_0": "", "last_login_1": "",
            "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
            "roles-TOTAL_FORMS": "0", "roles-INITIAL_FORMS": "0", "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000"}
    form.update(changes)
    return form


def test_a_sysadmin_cannot_make_an_account_superuser_not_even_their_own(sysadmin_client):
    world, sysadmin, client = sysadmin_client
    url = f"/admin/org/user/{sysadmin.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="is_active"' in page
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page and 'name="groups"' not in page
    response = client.post(url, _change_form(sysadmin, is_superuser="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    sysadmin.refresh_from_db()
    assert not sysadmin.is_superuser and not sysadmin.user_permissions.exists()


def test_a_superusers_account_is_out_of_a_sysadmins_reach(sysadmin_client):
    _world, _sysadmin, client = sysadmin_client
    root = User.objects.create_superuser("root", password="pw-long-enough-1")
    page = client.get(f"/admin/org/user/{root.pk}/change/")
    assert page.status_code == 200 and 'name="username"' not in page.content.decode()  # seen, not editable
    assert client.post(f"/admin/org/user/{root.pk}/change/", _change_form(root, is_active="")).status_code == 403
    client.post(f"/admin/org/user/{root.pk}/password/", {"password1": "Taken-over-123", "password2": "Taken-over-123",
                                                         "usable_password": "true"})
    root.refresh_from_db()
    assert root.check_password("pw-long-enough-1") and root.is_active
    assert client.post(f"/admin/org/user/{root.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=root.pk).exists()


def test_a_place_or_category_with_anything_under_it_is_retired_not_deleted(sysadmin_client):
    world, _sysadmin, client = sysadmin_client
    community = Region.objects.get_parent(world.grids[0])
    before = Region.objects.count()
    assert client.post(f"/admin/org/region/{community.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Region.objects.count() == before
    assert "delete_selected" not in client.get("/admin/org/region/").content.decode()
    parent = Category.objects.add_root(instance=Category(name="市容环境", code="t-env"))
    Category.objects.add_child(parent, instance=Category(name="占道经营", code="t-env-1"))
    assert client.post(f"/admin/cases/category/{parent.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Category.objects.filter(code__startswith="t-env").count() == 2
    # A leaf nothing points to (a mistake just made) can still be deleted.
    leaf = Region.objects.add_child(community, instance=Region(name="误建网格", code="oops", level="grid"))
    assert client.post(f"/admin/org/region/{leaf.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Region.objects.filter(pk=leaf.pk).exists()


def test_the_place_form_takes_other_names_and_addresses(sysadmin_client):
    world, _sysadmin, client = sysadmin_client
    page = client.get(f"/admin/org/region/{world.grids[0].pk}/change/").content.decode()
    assert 'name="aliases"' in page
