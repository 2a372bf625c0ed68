"""Fixtures for the resident pages' tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from wangge.testing import make_category, png, png_bytes  # noqa: F401 (used by the tests here)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Every test starts with no attempts counted (the counters live in the process cache)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def categories(world):
    """A top-level category with resident-facing children, and one without children."""
    street = make_category("市容环境", code="street", resident_label="街道与环境")
    stall = make_category("占道经营", code="street-stall", parent=street, department=world.departments["chengguan"],
                          resident_label="乱摆摊、占道经营")
    light = make_category("路灯损坏", code="street-light", parent=street, resident_label="路灯不亮")
    other = make_category("其他事项", code="zz-other", resident_label="其他问题")
    return {"street": street, "stall": stall, "light": light, "other": other}
