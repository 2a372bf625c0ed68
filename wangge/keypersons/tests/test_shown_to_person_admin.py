"""The admin of key-person categories: whether a category's entries are shown to the person on
them (我的个人信息) is set beside its visit frequency, with the law's reason in the help text."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from wangge.keypersons.models import KeyPersonTag
from wangge.org.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw-long-enough-1"))
    return client


def test_the_setting_is_explained_and_saved_in_the_admin(admin_client):
    tag = KeyPersonTag.objects.create(code="correction", name="社区矫正人员", order=70)
    assert not tag.shown_to_person  # a new category is kept from the person until someone decides
    url = f"/admin/keypersons/keypersontag/{tag.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "向本人公开" in page and "社区矫正" in page and "不会看到类别名称" in page
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # what the language switch sets
    page = admin_client.get(url).content.decode()
    assert "shown to the person" in page.lower() and "without the category" in page

    admin_client.post(url, {"code": "correction", "name": "社区矫正人员", "frequency": "monthly", "order": "70",
                            "is_active": "on", "shown_to_person": "on"})
    tag.refresh_from_db()
    assert tag.shown_to_person


def test_the_changelist_edits_it_beside_the_frequency(admin_client):
    page = admin_client.get("/admin/keypersons/keypersontag/").content.decode()
    assert "shown_to_person" in page
