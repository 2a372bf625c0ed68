"""Intake reads little from the database: the working-day calendar and the deadline policies are
kept in each process, the grid comes with its ancestors in one query. Every copy follows what
admins change — at once in the process that changed it, within a few seconds elsewhere (a change
"from another process" is simulated with writes that send no model signals)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wangge.cases import actions
from wangge.cases.errors import InvalidInput
from wangge.cases.models import Case, Category, SlaPolicy
from wangge.core import localcache
from wangge.notifications.models import Notification, NotificationKind
from wangge.org.choices import GridType, RegionLevel
from wangge.org.models import Region
from wangge.org.services import issue_api_token
from wangge.testing import add_region, file_case, make_category
from wangge.workdays.calendar import load_calendar
from wangge.workdays.models import CalendarDay, CalendarYear
from wangge.workdays.services import load_calendar_year

from .core_helpers import clock, local  # noqa: F401 (fixture)

BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT")


@pytest.fixture
def later(monkeypatch):
    """Move this process's clock for the caches past their re-read interval."""
    real = localcache.time.monotonic

    def advance():
        monkeypatch.setattr(localcache.time, "monotonic", lambda: real() + localcache.CHECK_SECONDS + 1)

    return advance


@pytest.fixture
def token(world):
    return issue_api_token(user=world.users["clerk"], name="test", days=30)[1]


def post_case(client, world, token, category, **extra):
    lng, lat = world.point_in(world.grids[0])
    body = {"channel": "hotline", "description": "小区门口有流动摊贩占道经营", "category": category.pk,
            "longitude": lng, "latitude": lat, "reporter_phone": "13812345678", **extra}
    return client.post("/api/v1/cases/", json.dumps(body), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Token {token}", HTTP_PREFER="return=minimal")


def test_api_intake_costs_seven_statements(world, client, token):
    """Token + user, category, the reporter resident (one upsert by phone), grid with its
    ancestors, the day's number, the case and the event — nothing else (no calendar, policy or
    second category read, no roles read again while they have not changed (org.rolecache), and
    no reaction row: the duplicate look follows the case table)."""
    category = make_category(department=world.departments["chengguan"])
    assert post_case(client, world, token, category).status_code == 201  # fills the process caches
    with CaptureQueriesContext(connection) as queries:
        response = post_case(client, world, token, category)
    assert response.status_code == 201
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(BOOKKEEPING)]
    assert len(statements) == 7, "\n".join(statements)
    assert not any("org_roleassignment" in sql for sql in statements)
    case = Case.objects.get(number=response.json()["number"])
    assert (case.grid, case.community, case.subdistrict, case.district) == (
        world.grids[0], world.communities[0], world.subdistrict, world.district)
    assert case.region == world.grids[0]


def test_calendar_year_loaded_by_an_admin_is_used_at_once(world):
    assert not load_calendar().is_known_year(2027)
    load_calendar_year(year=2027, days=[(dt.date(2027, 1, 1), False, "元旦")], source="国办发明电")
    calendar = load_calendar()
    assert calendar.is_known_year(2027)
    assert calendar.is_workday(dt.date(2027, 1, 1)) == (False, False)


def test_calendar_change_in_another_process_is_seen_within_seconds(world, later):
    assert load_calendar().is_workday(dt.date(2026, 10, 10)) == (True, False)  # a make-up Saturday
    CalendarDay.objects.bulk_create([CalendarDay(date=dt.date(2026, 10, 10), is_workday=False)])  # no signal
    CalendarYear.objects.bulk_create([CalendarYear(year=2027)])
    assert not load_calendar().is_known_year(2027)  # this process's copy, not yet re-read
    later()
    calendar = load_calendar()
    assert calendar.is_known_year(2027)
    assert calendar.is_workday(dt.date(2026, 10, 10)) == (False, False)


def test_admin_changing_a_single_day_is_seen_at_once(world):
    assert load_calendar().is_workday(dt.date(2026, 10, 10)) == (True, False)
    CalendarDay.objects.create(date=dt.date(2026, 10, 10), is_workday=False, name="更正")
    assert load_calendar().is_workday(dt.date(2026, 10, 10)) == (False, False)


def test_intake_right_after_a_year_was_loaded_elsewhere_is_not_provisional(world, clock):
    """The cached calendar does not know 2027 yet, but a deadline is only called provisional
    (and the admins alerted) after the database confirms nobody loaded the year."""
    clock.set(local("2026-12-28 10:00"))
    assert not load_calendar().is_known_year(2027)  # cached
    CalendarYear.objects.bulk_create([CalendarYear(year=2027)])  # another process, no signal
    CalendarDay.objects.bulk_create([CalendarDay(date=dt.date(2027, 1, 1), is_workday=False, name="元旦")])
    case = file_case(world, category=make_category(department=world.departments["chengguan"]))
    assert case.deadline_provisional is False
    assert case.resolve_due_at == local("2027-01-05 23:59:59")  # Jan 1 is a holiday
    assert not Notification.objects.filter(kind=NotificationKind.CALENDAR).exists()


def test_intake_into_an_unloaded_year_still_alerts(world, clock):
    clock.set(local("2026-12-28 10:00"))
    case = file_case(world, category=make_category(department=world.departments["chengguan"]))
    assert case.deadline_provisional is True
    assert Notification.objects.filter(kind=NotificationKind.CALENDAR, recipient=world.users["admin"]).exists()


def test_category_policy_change_is_used_by_the_next_case(world, later):
    fast = SlaPolicy.objects.create(name="快速", resolve_value=2)
    slow = SlaPolicy.objects.create(name="慢速", resolve_value=10)
    parent = make_category("市容环境", policy=fast)
    child = make_category("占道经营", parent=parent)
    assert file_case(world, category=child).sla_policy == fast  # inherited from the parent
    parent.sla_policy = slow
    parent.save()  # an admin, in this process
    assert file_case(world, category=child).sla_policy == slow
    Category.objects.filter(pk=child.pk).update(sla_policy=fast)  # own policy, read with the category
    assert file_case(world, category=child).sla_policy == fast
    Category.objects.filter(pk=child.pk).update(sla_policy=None)
    Category.objects.filter(pk=parent.pk).update(sla_policy=fast)  # another process, no signal
    later()
    assert file_case(world, category=child).sla_policy == fast


def test_default_policy_follows_the_admins(world, later):
    category = make_category()
    first = file_case(world, category=category).sla_policy
    assert first.is_default
    SlaPolicy.objects.filter(pk=first.pk).update(is_default=False)  # another process
    other = SlaPolicy.objects.create(name="新默认", resolve_value=3, is_default=True)
    assert file_case(world, category=category).sla_policy == other  # its save dropped the copy
    later()
    assert file_case(world, category=category).sla_policy == other


def test_a_stale_category_is_read_again(world, monkeypatch):
    category = make_category()
    stale = Category.objects.get(pk=category.pk)
    Category.objects.filter(pk=category.pk).update(is_active=False)
    monkeypatch.setattr(actions.triage, "CATEGORY_FRESH_SECONDS", 0.0)  # read "long ago"
    with pytest.raises(InvalidInput) as info:
        file_case(world, category=stale)
    assert info.value.fields == {"category": "inactive"}


def test_the_api_refuses_a_retired_category(world, client, token):
    category = make_category(is_active=False)
    response = post_case(client, world, token, category)
    assert response.status_code == 400
    assert "category" in json.dumps(response.json())


def test_redrawn_grid_and_its_ancestors_are_used_at_once(world):
    """Grids redrawn: the new grid (another community) takes the point, with its own ancestors."""
    old = world.grids[0]
    point = world.point_in(old)
    Region.objects.filter(pk=old.pk).update(is_active=False)
    old.refresh_from_db()
    old.save()  # through the ORM: the index is dropped
    new = add_region(world.communities[1], RegionLevel.GRID, "新划网格", grid_type=GridType.URBAN,
                     boundary=old.boundary)
    case = file_case(world, longitude=point[0], latitude=point[1])
    assert (case.grid, case.community, case.subdistrict) == (new, world.communities[1], world.subdistrict)


def test_a_grid_retired_elsewhere_is_never_used(world):
    point = world.point_in(world.grids[0])
    file_case(world)  # the index is built
    Region.objects.filter(pk=world.grids[0].pk).update(is_active=False)  # another process
    with pytest.raises(InvalidInput) as info:
        file_case(world, longitude=point[0], latitude=point[1])
    assert info.value.fields == {"location": "outside_grids"}
