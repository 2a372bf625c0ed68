"""时限规则 in the admin: a refused policy says what to do, in Chinese — not the constraint's name."""

from __future__ import annotations

import pytest
from django.test import Client

from wangge.cases.models import SlaPolicy
from wangge.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(make_user(username="root", is_staff=True, is_superuser=True))
    return client


def _policy(**changes) -> dict:
    form = {"name": "热线加急", "accept_value": 1, "accept_unit": "minutes", "dispatch_value": 15,
            "dispatch_unit": "minutes", "resolve_value": 2, "resolve_unit": "working_days", "amber_ratio": 0.8,
            "escalate_when_overdue": "on"}
    form.update(changes)
    return form


def test_a_second_default_policy_is_refused_with_what_to_do(admin_client):
    assert SlaPolicy.objects.filter(is_default=True).exists()
    response = admin_client.post("/admin/cases/slapolicy/add/", _policy(is_default="on"))
    page = response.content.decode()
    assert response.status_code == 200 and "已有另一条时限规则是默认规则" in page
    assert "one_default_sla_policy" not in page and not SlaPolicy.objects.filter(name="热线加急").exists()


def test_a_stage_of_zero_is_refused_on_its_field(admin_client):
    response = admin_client.post("/admin/cases/slapolicy/add/", _policy(resolve_value=0))
    page = response.content.decode()
    assert response.status_code == 200 and "sla_policy_positive_targets" not in page
    assert "1" in page and not SlaPolicy.objects.filter(name="热线加急").exists()
    assert response.context["adminform"].form.errors.keys() >= {"resolve_value"}
