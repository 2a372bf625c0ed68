"""Each role lands on its own work (desks): the pages, the switcher, the field report's channel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wangge.cases.choices import CaseStatus, Channel
from wangge.cases.models import Case
from wangge.org.choices import Role
from wangge.testing import case_in_state, make_user
from wangge.web.desks import Desk, desks_for

pytestmark = pytest.mark.django_db


def test_each_role_lands_on_its_desk(world, login):
    case_in_state(world, CaseStatus.DISPATCHED)
    expected = {
        "clerk": ("web/home.html", 'data-testid="count-total"'),
        "worker_a1": ("web/home_field.html", 'data-testid="field-report"'),
        "chengguan": ("web/home_department.html", 'data-testid="to-claim"'),
        "secretary_a": ("web/home_community.html", 'data-testid="ledger"'),
        "leader": ("web/home_leader.html", 'data-testid="supervise"'),
    }
    for key, (template, marker) in expected.items():
        client = login(world.users[key])
        response = client.get(reverse("web:home"))
        assert response.status_code == 200, key
        assert template in [t.name for t in response.templates], key
        assert marker in response.content.decode(), key


def test_department_sees_the_case_to_claim(world, login):
    case = case_in_state(world, CaseStatus.DISPATCHED)
    page = login(world.users["chengguan"]).get(reverse("web:home")).content.decode()
    assert case.number in page
    other = login(world.users["huanwei"]).get(reverse("web:home")).content.decode()
    assert case.number not in other


def test_grid_worker_sees_their_grids_cases_only(world, login):
    mine = case_in_state(world, CaseStatus.ACCEPTED)
    theirs = case_in_state(world, CaseStatus.ACCEPTED, grid=world.grids[2])
    page = login(world.users["worker_a1"]).get(reverse("web:home")).content.decode()
    assert mine.number in page and theirs.number not in page


def test_switching_desks(world, login):
    user = make_user(Role.COMMUNITY_SECRETARY, region=world.communities[0], username="two_hats")
    from wangge.org.models import RoleAssignment

    RoleAssignment.objects.create(user=user, role=Role.GRID_CHIEF, region=world.grids[0])
    assert desks_for(user) == [Desk.COMMUNITY, Desk.FIELD]
    client = login(user)
    page = client.get(reverse("web:home"))
    assert "web/home_community.html" in [t.name for t in page.templates]
    assert 'data-testid="desk-switch"' in page.content.decode()
    client.post(reverse("web:switch_desk"), {"desk": "field"})
    assert "web/home_field.html" in [t.name for t in client.get(reverse("web:home")).templates]
    # A desk the person does not hold is refused, and nothing changes.
    client.post(reverse("web:switch_desk"), {"desk": "leader"})
    assert "web/home_field.html" in [t.name for t in client.get(reverse("web:home")).templates]


def test_field_report_is_filed_on_the_patrol_channel(world, login):
    client = login(world.users["worker_a1"])
    assert client.get(reverse("web:field_report")).status_code == 200
    response = client.post(reverse("web:field_report"), {
        "description": "路灯不亮，巷子里很黑", "address": "东园小区3号楼", "place": world.grids[0].pk})
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("web:case_detail", args=[case.number])
    assert case.channel == Channel.PATROL
    assert case.grid_id == world.grids[0].pk
    assert case.status == CaseStatus.SUBMITTED


def test_field_report_is_for_field_roles_only(world, login):
    assert login(world.users["clerk"]).get(reverse("web:field_report")).status_code == 404


def test_field_report_labels_the_place_search_and_the_address_apart(world, login):
    """Under 地址 a grid worker saw two boxes and no word for either: the search that finds the
    place is 查找地点, the address kept is 地址 with a line saying what goes in it."""
    import re

    client = login(world.users["worker_a1"])
    page = client.get(reverse("web:field_report")).content.decode()
    labels = dict((f, text.strip()) for f, text in re.findall(r'<label for="([^"]+)">([^<]*)', page))
    assert labels["id_address-search"] == "查找地点" and labels["id_address"] == "地址"
    assert 'id="id_address-search"' in page and page.count('name="address"') == 1
    assert re.search(r'<input type="text" name="address" id="id_address"[^>]*aria-describedby="id_address-help"', page)
    assert 'id="id_address-help">选定地点后自动填入，可补充门牌、楼层或标志物<' in page
    # A refused report keeps the address typed.
    refused = client.post(reverse("web:field_report"), {"description": "", "address": "东园小区3号楼"})
    assert refused.status_code == 200 and not Case.objects.exists() and 'value="东园小区3号楼"' in refused.content.decode()


def test_the_leaders_overview_reads_its_standing_numbers_from_the_rollup(world, login):
    """The leader's overview: 督办 (longest overdue first) and 全部在办 are the dashboard's — its
    list read in order from its index, its numbers the rollup's as of its refresh — not a count
    and a sort of every open case of a city (over a second at 10,000,000 cases)."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from wangge.dashboard.rollup import refresh_stats

    old = timezone.now() - dt.timedelta(days=30)
    older = case_in_state(world, CaseStatus.DISPATCHED, submitted_at=old - dt.timedelta(days=3))
    overdue = case_in_state(world, CaseStatus.DISPATCHED, submitted_at=old)
    case_in_state(world, CaseStatus.ACCEPTED)
    refresh_stats()
    client = login(world.users["leader"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("web:home"))
    assert [c.number for c in response.context["overdue"]] == [older.number, overdue.number]
    assert response.context["overdue_total"] == 2
    assert response.context["open_now"] == 3
    # (The 待结案 count is capped: it stops at 1,000.)
    uncapped = [q["sql"] for q in queries
                if "COUNT(*)" in q["sql"] and 'FROM "cases_case"' in q["sql"] and "LIMIT" not in q["sql"]]
    assert uncapped == []
