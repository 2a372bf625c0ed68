"""The 开通检查 registry (wangge.core.readiness): order, a broken check, a missing admin page."""

from __future__ import annotations

import pytest

from wangge.core.readiness import Result, admin_url, register_check, run_checks, unregister_check


@pytest.fixture
def throwaway():
    keys = []

    def add(key, run, order):
        keys.append(key)
        register_check(key, key, run, order=order)

    yield add
    for key in keys:
        unregister_check(key)


def test_checks_come_in_their_order_and_a_failing_one_says_so_without_breaking_the_others(throwaway):
    def boom():
        raise RuntimeError("database gone")

    throwaway("zz.late", lambda: Result(True, "fine"), order=10_001)
    throwaway("zz.broken", boom, order=10_000)
    rows = [r for r in run_checks() if r["key"].startswith("zz.")]
    assert [r["key"] for r in rows] == ["zz.broken", "zz.late"]
    assert rows[0]["ready"] is False and "RuntimeError" in rows[0]["reason"]
    assert rows[1]["ready"] is True


def test_admin_url_of_a_model_not_in_the_admin_is_empty():
    assert admin_url("nowhere", "nothing") == ""
