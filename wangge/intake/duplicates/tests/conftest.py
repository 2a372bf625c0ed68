"""Fixtures of the duplicate finder's tests: a small category tree and cases placed in metres."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from wangge.testing import make_category
from wangge.testing.factories import file_case

M_PER_DEG_LAT = 110_574.0


@pytest.fixture(autouse=True)
def _fresh():
    """No rate-limit counters or classifier left from another test."""
    from wangge.intake.duplicates.suggestions import forget_model

    cache.clear()
    forget_model()
    yield
    cache.clear()
    forget_model()


@pytest.fixture
def tree(world):
    """市政设施 → 路灯不亮, 井盖缺失; 环境卫生 → 垃圾清运 (another branch)."""
    d = world.departments
    roads = make_category("市政设施", code="roads", department=d["chengguan"], keywords="市政")
    light = make_category("路灯不亮", code="roads-light", parent=roads, keywords="路灯 不亮", resident_label="路灯不亮")
    manhole = make_category("井盖缺失", code="roads-manhole", parent=roads, keywords="井盖")
    clean = make_category("环境卫生", code="clean", department=d["huanwei"])
    rubbish = make_category("垃圾清运", code="clean-rubbish", parent=clean, keywords="垃圾 清运 臭")
    return {"roads": roads, "light": light, "manhole": manhole, "clean": clean, "rubbish": rubbish}


@pytest.fixture
def place(world):
    """``place(north_m=0, east_m=0)`` → (lng, lat) that far from the centre of grid A1."""
    import math

    lng0, lat0 = world.point_in(world.grids[0])

    def at(north_m: float = 0, east_m: float = 0) -> tuple[float, float]:
        lat = lat0 + north_m / M_PER_DEG_LAT
        lng = lng0 + east_m / (111_320.0 * math.cos(math.radians(lat0)))
        return lng, lat

    return at


@pytest.fixture
def report(world, place, django_capture_on_commit_callbacks):
    """``report(category, north_m=…, east_m=…, **create_case kwargs)``: file a case over the
    hotline there, run what happens after commit, and the worker's next look for duplicates."""
    from wangge.intake.duplicates.actions import find_in_new_cases

    def file(category, *, north_m: float = 0, east_m: float = 0, **extra):
        lng, lat = place(north_m, east_m)
        extra.setdefault("description", "和平路3号楼门口的路灯坏了一个星期，晚上漆黑一片")
        with django_capture_on_commit_callbacks(execute=True):
            case = file_case(world, category=category, longitude=lng, latitude=lat, **extra)
        find_in_new_cases()
        return case

    return file
