"""Fixtures of the workbench tests."""

from __future__ import annotations

import pytest

from wangge.testing import png_bytes  # noqa: F401 (used by the tests here)


@pytest.fixture
def categories(world):
    """Three categories with keywords and default departments (one without a department)."""
    from wangge.testing import make_category

    d = world.departments
    return {
        "street": make_category("占道经营", department=d["chengguan"], keywords="摊贩 占道 摆摊", code="street"),
        "rubbish": make_category("垃圾清运", department=d["huanwei"], keywords="垃圾 清运 臭", code="rubbish"),
        "other": make_category("其他", code="other"),
    }


@pytest.fixture
def login(client):
    """``login(user)`` signs the Django test client in and returns it."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


