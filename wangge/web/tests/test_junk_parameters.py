"""A query string or form field may hold anything: a number past any key ("99999999999999999999"),
a digit that is not ASCII ("²"), words. Every page answers it as "no such row" or the first page —
never a 500 (SQLite refuses such an integer with OverflowError, PostgreSQL with "out of range").
Found by requesting every page with junk in every parameter the views read."""

from __future__ import annotations

import re

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from wangge.core.errors import InvalidInput
from wangge.core.http import MAX_ROW_ID, page_number, row_id
from wangge.testing import file_case
from wangge.web.forms import parse_target

pytestmark = pytest.mark.django_db

HUGE = "9" * 25
# The parameter names the views and filters read (a name a page ignores costs nothing).
PARAMETERS = ["page", "by", "community", "all", "worker", "q", "light", "grid", "tier", "status", "month", "lng",
              "lat", "day", "via", "unread", "size", "scope", "retired", "mine", "include_inactive", "first", "class",
              "before", "after", "cursor", "period", "region", "department", "category", "channel", "longitude",
              "latitude", "description", "item", "year", "date"]


def test_row_id_takes_only_what_can_be_a_key():
    assert [row_id(v) for v in ("12", " 7 ", 42)] == [12, 7, 42]
    assert [row_id(v) for v in ("", None, "0", "-3", "1.5", "abc", "²", "١٢", HUGE, str(MAX_ROW_ID + 1), True, 0)] \
        == [None] * 12
    assert row_id(str(MAX_ROW_ID)) == MAX_ROW_ID


def test_page_number_is_a_page_a_list_can_have():
    assert [page_number(v) for v in (None, "", "abc", "0", "-2", "²", "3", HUGE)] == [1, 1, 1, 1, 1, 1, 3, 10_000]


@pytest.mark.parametrize("value", ["user:²", f"region:{HUGE}", "department:abc", "user:", "nobody:3"])
def test_a_handler_that_cannot_be_one_is_a_clear_error(value):
    with pytest.raises(InvalidInput):
        parse_target(value)


def _pages_without_arguments():
    def walk(resolver, namespace=None):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
                yield from walk(entry, inner)
            elif isinstance(entry, URLPattern) and entry.name and not re.search(r"<", str(entry.pattern)):
                yield f"{namespace}:{entry.name}" if namespace else entry.name
    for name in sorted(set(walk(get_resolver()))):
        if name.startswith(("admin:", "api")) or name in {"healthz", "readyz"}:
            continue
        try:
            yield reverse(name)
        except NoReverseMatch:
            continue


@pytest.mark.parametrize("who", ["leader", "worker_a1"])
def test_every_page_answers_junk_parameters_without_a_server_error(world, client, who):
    file_case(world)  # a list with a row in it
    client.force_login(world.users[who])
    failures = []
    for url in _pages_without_arguments():
        for junk in (HUGE, "²", "abc", "\x00"):
            response = client.get(url, {name: junk for name in PARAMETERS})
            if response.status_code >= 500:
                failures.append(f"{url} {junk!r}: {response.status_code}")
    assert not failures, "\n".join(failures)

