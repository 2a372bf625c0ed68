"""Setting up categories in the admin: one saved without a default department is said to the
administrator at once, not found later when the hotline refuses to dispatch its cases."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from wangge.cases.models import Category
from wangge.org.models import User
from wangge.testing import build_world

pytestmark = pytest.mark.django_db


def _add(client, **fields):
    data = {"name": "其他问题", "code": "qita", "is_active": "on", "default_star": "1", "handling_type": "general",
            "treebeard_position": "sorted-child", "treebeard_ref_node": "", "default_department": "",
            "sla_policy": "", "resident_label": "", "keywords": "", **fields}
    with translation.override("zh-hans"):
        return client.post("/admin/cases/category/add/", data, follow=True).content.decode()


def test_a_category_without_a_default_department_is_saved_with_a_warning():
    world = build_world()
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw-long-enough-1"))
    page = _add(client)
    assert Category.objects.filter(code="qita").exists()
    assert "“其他问题”没有默认承办部门" in page
    page = _add(client, name="占道经营", code="zhandao", default_department=world.departments["chengguan"].pk)
    assert Category.objects.get(code="zhandao").default_department == world.departments["chengguan"]
    assert "没有默认承办部门" not in page
