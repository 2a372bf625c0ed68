"""Fixtures for the resident pages' tests."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wangge.core.testing import make_category


def png(name: str = "photo.png", size: tuple[int, int] = (8, 8), colour: str = "red") -> SimpleUploadedFile:
    """A small, real PNG upload."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def png_bytes() -> bytes:
    return png().read()


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
