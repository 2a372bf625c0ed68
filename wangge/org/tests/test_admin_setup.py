"""A sub-district's first administrator setting the office up in the admin (开通): the pages they
meet on day one say what they mean in Chinese, and what a shell would otherwise be needed for
has a page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import translation

from wangge.org.choices import Role
from wangge.org.models import ApiToken, User
from wangge.org.models.token import hash_key
from wangge.testing import build_world, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client():
    root = User.objects.create_superuser("root", password="pw-long-enough-1")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(root)
    return root, client


def test_the_add_staff_page_speaks_chinese(root_client):
    _root, client = root_client
    with translation.override("zh-hans"):
        page = client.get("/admin/org/user/add/").content.decode()
    assert "After you’ve created a user" not in page
    assert "创建账号后" in page


def _issue(client, **data):
    return client.post("/admin/org/apitoken/add/", {"days": "90", **data})


def test_an_administrator_issues_the_12345_links_token_in_the_admin_and_sees_its_key_once(root_client):
    root, client = root_client
    link = User.objects.create_user("link12345", password="pw-long-enough-2")
    assert client.get("/admin/org/apitoken/add/").status_code == 200
    response = _issue(client, user=link.pk, name="12345 对接")
    assert response.status_code == 200
    page = response.content.decode()
    token = ApiToken.objects.get(user=link)
    key = re.search(r"<code[^>]*>(wg_[^<]+)</code>", page).group(1)
    assert token.name == "12345 对接" and token.key_hash == hash_key(key)
    assert token.expires_at - token.created_at == timedelta(days=90)
    # The key works for the link's account at once, and is never shown again.
    assert Client().get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert key not in client.get(f"/admin/org/apitoken/{token.pk}/change/").content.decode()
    assert key not in client.get("/admin/org/apitoken/").content.decode()


def test_a_token_is_refused_for_an_inactive_account_or_too_long_with_nothing_issued(root_client):
    _root, client = root_client
    gone = User.objects.create_user("gone", password="pw-long-enough-2", is_active=False)
    link = User.objects.create_user("link", password="pw-long-enough-2")
    with translation.override("zh-hans"):
        page = _issue(client, user=gone.pk, name="x").content.decode()
        assert "该账号已停用" in page
        assert "365" in _issue(client, user=link.pk, name="x", days="400").content.decode()
    assert not ApiToken.objects.exists()


def test_a_sysadmin_cannot_issue_a_token_that_acts_as_a_superuser():
    world = build_world()
    sysadmin = make_user(Role.ADMIN, region=world.district, username="sys")
    sysadmin.is_staff = True
    sysadmin.save()
    root = User.objects.create_superuser("root", password="pw-long-enough-1")
    client = Client()
    client.force_login(sysadmin)
    with translation.override("zh-hans"):
        refused = _issue(client, user=root.pk, name="x").content.decode()
    assert "只有超级用户才能为超级用户账号签发令牌" in refused
    assert not ApiToken.objects.exists()
    worker = make_user(Role.GRID_WORKER, region=world.grids[0], username="w")
    assert _issue(client, user=worker.pk, name="手机端").status_code == 200
    assert ApiToken.objects.filter(user=worker).count() == 1
