"""The ways a search finds its cases — common word (walk the newest), rare word (the bigram
index), absent word, one character, a case number — give the same answers on SQLite and
PostgreSQL, page by page and within the user's scope; and the count of a list follows one rule
in the web list and the API: exact up to the cap, else "more than the cap"."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wangge.cases import search, selectors
from wangge.cases.models import Case
from wangge.cases.search import ListCount, count_list, search_cases
from wangge.cases.tests.test_api import LIST, as_user, assert_error
from wangge.testing import file_case
from wangge.web import queries

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the search plans are PostgreSQL's")


@pytest.fixture
def many(world):
    """Nine cases in the first grid, newest last: every one about a manhole (common), one about
    fumes (rare), the third with an address of its own."""
    cases = []
    for i in range(9):
        cases.append(file_case(world, title=f"井盖缺失{i}" if i != 4 else "井盖缺失，餐馆油烟",
                               description="路口井盖不见了", address="油坊胡同3号" if i == 2 else "解放路口"))
    return cases


@pytest.fixture
def small_probe(monkeypatch):
    """A probe of 4 cases, common from 3 hits, a first look at 2: the paths a million cases
    take, on a few."""
    monkeypatch.setattr(search, "PROBE_ROWS", 4)
    monkeypatch.setattr(search, "COMMON_HITS", 3)
    monkeypatch.setattr(search, "QUICK_PROBE_ROWS", 2)
    monkeypatch.setattr(search, "PROBE_BUDGET_MS", 2000)  # the way chosen by what is seen, not by load


def numbers(queryset) -> list[str]:
    return list(queryset.order_by("-submitted_at", "-pk").values_list("number", flat=True))


def newest_first(cases) -> list[str]:
    return [c.number for c in sorted(cases, key=lambda c: (c.submitted_at, c.pk), reverse=True)]


@pytest.mark.parametrize("term, pick", [
    ("井盖", lambda cases: cases),                          # common: every case
    ("油烟", lambda cases: [cases[4]]),                     # rare: one
    ("油坊胡同", lambda cases: [cases[2]]),                 # rare, four characters, address only
    ("暖气", lambda cases: []),                             # absent
    ("油", lambda cases: [cases[2], cases[4]]),             # one character
    ("缺失，餐", lambda cases: [cases[4]]),                 # punctuation inside the term
])
def test_every_path_finds_the_same_cases(many, small_probe, world, term, pick):
    scope = selectors.cases_visible_to(world.users["clerk"])
    assert numbers(search_cases(scope, term)) == newest_first(pick(many))


def test_a_case_number_is_found(many, small_probe, world):
    scope = selectors.cases_visible_to(world.users["clerk"])
    assert numbers(search_cases(scope, many[6].number.lower())) == [many[6].number]


@postgres_only
@pytest.mark.parametrize("term, way", [("井盖", "walk"), ("油烟", "ids"), ("暖气", "ids"), ("油", "walk")])
def test_the_probe_chooses_the_way(many, small_probe, world, term, way):
    scope = selectors.cases_visible_to(world.users["clerk"])
    plan = search_cases(scope, term).query.text_search
    assert plan.way == way and not plan.whole
    assert plan.probed <= search.PROBE_ROWS
    if way == "ids":  # not once in the first look: straight to the index
        assert plan.probed == search.QUICK_PROBE_ROWS


@postgres_only
def test_a_short_list_is_walked_whole(many, world):
    """Fewer cases than the probe reads (a grid's list): all read, no index needed."""
    plan = search_cases(selectors.cases_visible_to(world.users["clerk"]), "油烟").query.text_search
    assert plan.way == "walk" and plan.whole and plan.probed == len(many) and plan.hits == 1


@postgres_only
def test_a_rare_word_past_the_index_limit_is_walked(many, small_probe, world, monkeypatch):
    monkeypatch.setattr(search, "RARE_MATCHES", 0)
    found = search_cases(selectors.cases_visible_to(world.users["clerk"]), "油烟")
    assert found.query.text_search.way == "walk" and numbers(found) == [many[4].number]


@pytest.mark.parametrize("term", ["井盖", "油烟", "油"])
def test_the_scope_still_applies(many, small_probe, world, term):
    """A grid worker of another grid finds none of them, whichever way the search goes (their
    four newest cases hold no term: the probe sends the words to the index)."""
    theirs = file_case(world, grid=world.grids[2], title="井盖松动", description="餐馆油烟", address="幸福里")
    for _ in range(4):
        file_case(world, grid=world.grids[2], title="路灯不亮", description="整条路晚上黑", address="幸福里")
    scope = selectors.cases_visible_to(world.users["worker_b1"])
    assert numbers(search_cases(scope, term)) == [theirs.number]


@pytest.mark.parametrize("term", ["井盖", "油坊胡同", "缺失"])
def test_pages_follow_the_cursor(many, small_probe, world, term):
    """Three cases a page, older by the cursor and back: every case once, in order."""
    scope = selectors.cases_visible_to(world.users["clerk"])
    expected = numbers(search_cases(scope, term))
    seen, after, pages = [], None, []
    while True:
        page = queries.keyset_page(search_cases(scope, term), after=after, before=None, size=3)
        pages.append(page)
        seen += [c.number for c in page.rows]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == expected
    if len(pages) > 1:
        back = queries.keyset_page(search_cases(scope, term), after=None, before=pages[-1].prev_cursor, size=3)
        assert [c.number for c in back.rows] == [c.number for c in pages[-2].rows]


# ---------------------------------------------------------------------------------------------
# Counts
# ---------------------------------------------------------------------------------------------


def test_counts_are_exact_up_to_the_cap(many, world):
    scope = selectors.cases_visible_to(world.users["clerk"])
    assert count_list(search_cases(scope, "油")) == ListCount(2, exact=True)
    assert count_list(search_cases(scope, "暖气")) == ListCount(0, exact=True)
    assert count_list(scope, cap=9) == ListCount(9, exact=True)
    capped = count_list(scope, cap=8)
    assert capped == ListCount(8, exact=False) and capped.capped


def test_a_count_out_of_time_is_unknown(many, world):
    counted = count_list(Case.objects.all(), budget=lambda ms, compute: None)
    assert counted == ListCount(None, exact=False) and not counted.capped


@postgres_only
def test_a_common_word_over_a_long_list_is_judged_past_the_cap_without_counting(many, monkeypatch, world):
    """Ten hits in the ten newest cases, a list longer than that: past a cap of 1 for sure, and
    nothing is counted."""
    for _ in range(6):
        file_case(world, title="井盖松动")
    monkeypatch.setattr(search, "PROBE_ROWS", 10)
    monkeypatch.setattr(search, "COMMON_HITS", 10)
    monkeypatch.setattr(search, "QUICK_PROBE_ROWS", 5)
    found = search_cases(selectors.cases_visible_to(world.users["clerk"]), "井盖")
    assert found.query.text_search.way == "walk" and found.query.text_search.hits == 10
    with CaptureQueriesContext(connection) as ctx:
        assert count_list(found, cap=1) == ListCount(1, exact=False)
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries), ctx.captured_queries


def test_the_web_list_and_the_api_count_alike(many, client, world, monkeypatch):
    """Both say "more than" past the cap; the API says its count is not exact, and pages no
    further than the cap — a later page is a 400 that says why, an exact list's a 404."""
    monkeypatch.setattr(search, "COUNT_CAP", 4)
    monkeypatch.setattr(queries, "COUNT_CAP", 4)
    client.force_login(world.users["clerk"])
    page = client.get("/cases/?q=井盖").context["page"]
    assert page.count == 4 and page.count_capped
    api = as_user(world.users["clerk"])
    first = api.get(f"{LIST}?q=井盖&page_size=2").json()
    assert first["count"] == 4 and first["count_exact"] is False and len(first["results"]) == 2
    second = api.get(f"{LIST}?q=井盖&page_size=2&page=2").json()
    assert "page=3" in second["next"]  # there are more …
    error = assert_error(api.get(f"{LIST}?q=井盖&page_size=2&page=3"), 400, "invalid")  # … not paged
    assert error["codes"] == {"page": "too_deep"} and "4" in error["message"]
    assert_error(api.get(f"{LIST}?q=井盖&page=last"), 400, "invalid")
    zh = as_user(world.users["clerk"], lang="zh-hans").get(f"{LIST}?q=井盖&page_size=2&page=3").json()
    assert "缩小" in zh["error"]["message"]
    exact = api.get(f"{LIST}?q=油&page_size=1&page=2").json()
    assert exact["count"] == 2 and exact["count_exact"] is True and exact["next"] is None
    assert_error(api.get(f"{LIST}?q=油&page_size=1&page=3"), 404, "not_found")
    assert api.get(f"{LIST}?q=油&page=last").json()["count_exact"] is True


@postgres_only  # time budgets are PostgreSQL's statement timeouts
def test_an_api_page_out_of_time_asks_to_narrow_down(many, small_probe, world, monkeypatch):
    monkeypatch.setattr(search, "within_budget",
                        lambda ms, compute, **kw: None if ms == search.ROWS_BUDGET_MS else compute())
    error = assert_error(as_user(world.users["clerk"], lang="zh-hans").get(f"{LIST}?q=井盖"), 400, "invalid")
    assert error["codes"] == {"q": "too_slow"} and "缩小范围" in error["message"]


@pytest.mark.parametrize("term", ["井盖", "油坊胡同"])
def test_the_web_list_pages_a_search_by_cursor(many, small_probe, client, world, monkeypatch, term):
    """The page as the clerk sees it: three at a time, older by the link, every match once."""
    from wangge.web import views

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    client.force_login(world.users["clerk"])
    url, seen = f"/cases/?q={term}", []
    while url:
        page = client.get(url).context["page"]
        seen += [c.number for c in page.rows]
        url = f"/cases/?q={term}&after={page.next_cursor}" if page.next_cursor else None
    assert seen == numbers(search_cases(selectors.cases_visible_to(world.users["clerk"]), term))


@postgres_only
def test_a_probe_out_of_time_has_seen_nothing(many, small_probe, world, monkeypatch):
    """A list whose newest cases take too long to find (a small territory among very many):
    a word goes to the index, and past its limit is walked; the answers stay the same."""
    monkeypatch.setattr(search, "within_budget",
                        lambda ms, compute, **kw: None if ms == search.PROBE_BUDGET_MS else compute())
    scope = selectors.cases_visible_to(world.users["clerk"])
    rare = search_cases(scope, "油烟")
    assert rare.query.text_search.way == "ids" and numbers(rare) == [many[4].number]
    monkeypatch.setattr(search, "RARE_MATCHES", 3)
    common = search_cases(scope, "井盖")
    assert common.query.text_search.way == "walk" and common.query.text_search.probed == 0
    assert numbers(common) == newest_first(many)
    assert count_list(common) == ListCount(9, exact=True)
