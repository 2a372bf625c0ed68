"""A sub-district's first administrator setting the office up in the admin (开通): the pages they
meet on day one say what they mean in Chinese, and what a shell would otherwise be needed for
has a page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from wangge.org.models import User

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
