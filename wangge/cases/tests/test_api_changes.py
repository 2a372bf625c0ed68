"""GET /api/v1/cases/changes/: a linked system (a 12345 hotline) learns which cases changed since
its last poll instead of re-reading every case — in the order they changed, page by page with a
cursor, never skipping or losing one, only within the caller's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wangge.cases import actions
from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case
from wangge.testing import file_case, make_category

from .test_api import as_user, assert_error

CHANGES = "/api/v1/cases/changes/"
T0 = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def _no_settling(settings):
    # Changes are listed at once here; the wait itself is tested on its own below.
    settings.WANGGE_API_CHANGES_SETTLE_SECONDS = 0


def _changed(case: Case, at: dt.datetime) -> Case:
    Case.objects.filter(pk=case.pk).update(updated_at=at)
    return case


def _cases(world, n: int, *, grid=None, start=T0, step=dt.timedelta(minutes=1), **kwargs) -> list[Case]:
    return [_changed(file_case(world, grid=grid or world.grids[0], **kwargs), start + i * step) for i in range(n)]


def _get(user, lang="en", **params):
    return as_user(user, lang).get(CHANGES, params)


def _numbers(answer) -> list[str]:
    return [row["number"] for row in answer.json()["results"]]


def test_only_cases_changed_after_the_moment_oldest_change_first(world):
    cases = _cases(world, 4)
    _changed(cases[0], T0 + dt.timedelta(minutes=10))  # changed again: now the newest

    answer = _get(world.users["clerk"], updated_after=(T0 + dt.timedelta(seconds=30)).isoformat())

    assert answer.status_code == 200, answer.content
    assert _numbers(answer) == [cases[1].number, cases[2].number, cases[3].number, cases[0].number]
    row = answer.json()["results"][0]
    assert dt.datetime.fromisoformat(row["updated_at"]) == T0 + dt.timedelta(minutes=1)
    assert row["status"] == "submitted" and row["reporter"]["phone"].count("*") >= 4  # the list's row, masked
    assert answer.json()["more"] is False


def test_a_time_in_any_offset_and_with_an_unencoded_plus(world):
    cases = _cases(world, 2)
    local = timezone.localtime(T0 + dt.timedelta(seconds=30))
    # "+08:00" typed into a URL without encoding arrives as " 08:00".
    raw = as_user(world.users["clerk"]).get(f"{CHANGES}?updated_after={local.isoformat()}")
    assert _numbers(raw) == [cases[1].number]
    assert _numbers(_get(world.users["clerk"], updated_after="2026-11-30T08:00:30Z")) == [cases[1].number]


def test_paging_with_the_cursor_skips_nothing_and_repeats_nothing(world):
    """Cases changed at the same moment (the sweep writes many at once) are kept apart by the
    case: a page ending among them carries on with the rest."""
    cases = _cases(world, 5)
    for case in cases[1:4]:
        _changed(case, T0 + dt.timedelta(minutes=2))
    expected = [c.number for c in sorted(cases, key=lambda c: (Case.objects.get(pk=c.pk).updated_at, c.pk))]
    clerk = world.users["clerk"]

    seen, params, pages = [], {"updated_after": (T0 - dt.timedelta(seconds=1)).isoformat(), "page_size": 2}, 0
    while True:
        answer = _get(clerk, **params)
        assert answer.status_code == 200, answer.content
        seen += _numbers(answer)
        pages += 1
        body = answer.json()
        if not body["more"]:
            break
        assert "updated_after" not in body["next"] and f"cursor={body['cursor']}" in body["next"]
        params = {"cursor": body["cursor"], "page_size": 2}

    assert seen == expected and pages == 3


def test_the_next_poll_lists_what_changed_since_and_only_that(world):
    clerk = world.users["clerk"]
    cases = _cases(world, 3)
    first = _get(clerk, updated_after=(T0 - dt.timedelta(seconds=1)).isoformat()).json()
    cursor = first["cursor"]

    # Nothing changed: nothing listed, and the same cursor to keep.
    idle = _get(clerk, cursor=cursor).json()
    assert (idle["results"], idle["cursor"], idle["more"]) == ([], cursor, False)

    # A real change through an action: the case comes again, with its new state.
    actions.accept_case(case=cases[1], actor=clerk, category=make_category("占道经营"))
    later = _get(clerk, cursor=cursor).json()
    assert [(r["number"], r["status"]) for r in later["results"]] == [(cases[1].number, CaseStatus.ACCEPTED)]


def test_a_change_not_yet_settled_waits_for_the_next_poll(world, settings):
    """A change is listed once it is older than the settling time: an earlier ``updated_at``
    still being committed by another transaction is never passed by the cursor."""
    settings.WANGGE_API_CHANGES_SETTLE_SECONDS = 30
    case = file_case(world)
    since = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
    assert _numbers(_get(world.users["clerk"], updated_after=since)) == []

    _changed(case, timezone.now() - dt.timedelta(seconds=31))
    assert _numbers(_get(world.users["clerk"], updated_after=since)) == [case.number]


def test_only_cases_in_the_callers_scope(world):
    mine = _cases(world, 2, grid=world.grids[2])
    theirs = _cases(world, 2, grid=world.grids[0], start=T0 + dt.timedelta(seconds=30))
    since = (T0 - dt.timedelta(seconds=1)).isoformat()

    assert _numbers(_get(world.users["worker_b1"], updated_after=since)) == [mine[0].number, mine[1].number]
    assert set(_numbers(_get(world.users["clerk"], updated_after=since))) == {c.number for c in mine + theirs}
    assert _numbers(_get(world.users["chengguan"], updated_after=since)) == []  # nothing dispatched to it


def test_a_linked_12345_system_asks_for_its_own_orders(world):
    order = _changed(file_case(world, source="12345", external_id="GD1"), T0)
    _cases(world, 2)
    answer = _get(world.users["clerk"], updated_after=(T0 - dt.timedelta(seconds=1)).isoformat(), source="12345")
    assert _numbers(answer) == [order.number]


def test_from_the_beginning_without_a_moment(world):
    cases = _cases(world, 2)
    assert _numbers(_get(world.users["clerk"])) == [c.number for c in cases]


def test_anonymous_is_401(world):
    assert as_user(None).get(CHANGES).status_code == 401


@pytest.mark.parametrize("params, field, code, message", [
    ({"updated_after": "2026-11-30T08:00:00"}, "updated_after", "no_time_zone", "请给出带时区的时间。"),
    ({"updated_after": "昨天"}, "updated_after", "invalid", "日期时间格式错误"),
    ({"updated_after": "1900-01-01T00:00:00+08:00"}, "updated_after", "out_of_range", "2000-01-01"),
    ({"cursor": "not-a-cursor"}, "cursor", "invalid", "不是变更列表给出的"),
    ({"cursor": "MjAyNi0xMS0zMHw1"}, "cursor", "invalid", "不是变更列表给出的"),  # "2026-11-30|5": no zone
    ({"cursor": "x", "updated_after": "2026-11-30T08:00:00Z"}, "cursor", "invalid", "二者不能同时给出"),
    ({"page_size": "0"}, "page_size", "min_value", "1"),
    ({"page_size": "201"}, "page_size", "max_value", "200"),
    ({"page_size": "ten"}, "page_size", "invalid", "整数"),
])
def test_bad_values_are_400_in_the_users_language(world, params, field, code, message):
    error = assert_error(_get(world.users["clerk"], "zh-hans", **params), 400, "invalid")
    assert error["codes"] == {field: code}
    assert message in error["fields"][field]


def test_a_page_costs_the_same_number_of_queries_however_long(world):
    _cases(world, 12)
    since = (T0 - dt.timedelta(seconds=1)).isoformat()
    clerk = world.users["clerk"]
    _get(clerk, updated_after=since, page_size=2)  # warm the caches (roles, calendar)
    with CaptureQueriesContext(connection) as short:
        assert len(_numbers(_get(clerk, updated_after=since, page_size=2))) == 2
    with CaptureQueriesContext(connection) as long:
        assert len(_numbers(_get(clerk, updated_after=since, page_size=12))) == 12
    assert len(long.captured_queries) == len(short.captured_queries)


def test_the_schema_documents_the_poll(client, world):
    client.force_login(world.users["clerk"])
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/cases/changes/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"updated_after", "cursor", "page_size", "source"}
    assert {"200", "400", "401"} <= set(operation["responses"])
    answer = schema["components"]["schemas"]["CaseChanges"]
    assert set(answer["properties"]) == {"results", "cursor", "more", "next"}


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_changes_are_read_from_the_primary_never_a_lagging_replica(settings):
    """The case list may come from a read replica; the list of changes may not: its cursor moves
    past what it read, so a change the replica had not replayed yet would never be listed."""
    from wangge.testing import build_world

    world = build_world()
    settings.WANGGE_API_CHANGES_SETTLE_SECONDS = 0
    settings.WANGGE_REPLICA_PATHS = ["/api/v1/cases/"]
    number = file_case(world).number
    client = as_user(world.users["clerk"])
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert _numbers(client.get(CHANGES)) == [number]
    assert "cases_case" not in " ".join(q["sql"] for q in on_replica.captured_queries)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get("/api/v1/cases/").json()["count"] == 1
    assert "cases_case" in " ".join(q["sql"] for q in on_replica.captured_queries)  # the list still may


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: a transaction open beside the poll")
@pytest.mark.django_db(transaction=True)
def test_a_change_in_a_long_transaction_is_listed_when_it_commits_not_passed(settings):
    """An "all or nothing" 12345 import files every order in one transaction, minutes long: the
    first orders' times are long past when it commits. A poll meanwhile must not move its cursor
    past them to a case changed (and committed) later — they would never be listed."""
    import threading

    from wangge.testing import build_world

    world = build_world()
    settings.WANGGE_API_CHANGES_SETTLE_SECONDS = 0
    other = file_case(world, grid=world.grids[1])
    cursor = _get(world.users["clerk"]).json()["cursor"]
    filed, release = threading.Event(), threading.Event()
    numbers = []

    def long_import():
        try:
            with transaction.atomic():
                numbers.append(file_case(world).number)
                filed.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=long_import)
    thread.start()
    try:
        assert filed.wait(timeout=30)
        _changed(other, timezone.now())  # another clerk's change, committed while the import runs
        meanwhile = _get(world.users["clerk"], cursor=cursor).json()
        assert meanwhile["results"] == []  # not yet: the cursor stays before the open transaction
    finally:
        release.set()
        thread.join(timeout=30)
    after = _get(world.users["clerk"], cursor=meanwhile["cursor"])
    assert _numbers(after) == [numbers[0], other.number]
