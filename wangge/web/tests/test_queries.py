"""The workbench's reads: cursors, time budgets, category suggestion."""

from __future__ import annotations

import pytest
from django.db import connection

from wangge.testing import file_case, make_category
from wangge.web import queries

pytestmark = pytest.mark.django_db


def test_cursor_round_trip_and_tampering(world, categories):
    case = file_case(world, category=categories["street"])
    assert queries.decode_cursor(queries.encode_cursor(case)) == (case.submitted_at, case.pk)
    for bad in ("", "###", "bm90LWEtY3Vyc29y", "MjAyNi0wMS0wMXx4", "MjAyNi0wMS0wMVQwMDowMDowMHwx"):
        assert queries.decode_cursor(bad) is None  # garbage, no separator, bad pk, naive time


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement timeouts are PostgreSQL's")
def test_budget_gives_up_on_slow_queries():
    def slow():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.2)")
        return "done"

    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()[0]
    assert queries.within_budget(20, slow) is None
    assert queries.within_budget(2000, slow) == "done"
    # The connection is still usable and the timeout did not leak out of the budget.
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == before


def test_suggestions_rank_by_keyword_hits(world):
    rubbish = make_category("垃圾清运", keywords="垃圾 清运 臭", code="r")
    smell = make_category("异味扰民", keywords="臭 味道", code="s")
    make_category("停用", keywords="垃圾", code="x", is_active=False)
    found = queries.suggest_categories("楼下垃圾没人清运，很臭")
    assert found[0] == rubbish and smell in found
    assert all(c.is_active for c in found)
    assert queries.suggest_categories("x") == []


@pytest.mark.parametrize("raw", ["0001-01-01T00:00:00+00:00|5", "2026-01-01T00:00:00+00:00|100000000000000000000",
                                 "2026-01-01T00:00:00+00:00|-3", "9999-12-31T00:00:00+00:00|5"])
def test_a_cursor_out_of_range_is_ignored_not_an_error(world, client, raw):
    """A tampered list cursor (year 1, a 20-digit id) is treated as no cursor — no 500."""
    import base64

    from wangge.web.queries import decode_cursor

    token = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    assert decode_cursor(token) is None
    client.force_login(world.users["clerk"])
    assert client.get(f"/cases/?after={token}").status_code == 200
