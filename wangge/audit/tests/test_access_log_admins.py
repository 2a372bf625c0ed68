"""The two logs of who saw residents' personal data, as an administrator reads them in the admin:
Chinese column names and filters, search by case number or by staff member, filters by staff
member and date, the resident masked, and 用途 by kind — never one entry per case number."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from wangge.cases.actions import reveal_reporter
from wangge.cases.choices import CaseStatus
from wangge.residents.services import reveal_resident
from wangge.testing import case_in_state, file_case, make_user

pytestmark = pytest.mark.django_db

REPORTER_LOG = "/admin/cases/reporteraccesslog/"
RESIDENT_LOG = "/admin/residents/residentaccesslog/"


@pytest.fixture
def auditor(client):
    user = make_user(None, username="auditor", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label__in=["cases", "residents"], codename__startswith="view_"))
    client.force_login(user)
    return client


@pytest.fixture
def viewed(world):
    """The leader saw the reporters of two cases; the clerk saw a resident for a need."""
    first = case_in_state(world, CaseStatus.ACCEPTED)
    second = file_case(world, reporter_name="李小红", reporter_phone="13900001111")
    leader = world.users["leader"]
    reveal_reporter(case=first, actor=leader, ip_address="10.0.0.8")
    reveal_reporter(case=second, actor=leader, channel="api")
    reveal_resident(resident=second.reporter, actor=world.users["clerk"], purpose="neighbourhood:need:7", allowed=True)
    return first, second


def rows(response) -> list:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_the_reporter_log_speaks_chinese(auditor, viewed):
    page = auditor.get(REPORTER_LOG).content.decode()
    for english in ("Accessed at", "accessed at", "Ip address", ">User<", ">Channel<", "以 channel"):
        assert english not in page
    for chinese in ("查看时间", "工作人员", "事件", "查看途径", "IP 地址", "工作台", "接口（App）",
                    "来电历史（按号码查找）"):
        assert chinese in page
    assert "10.0.0.8" in page


def test_the_reporter_log_filters_by_channel_staff_and_date(auditor, viewed, world):
    first, second = viewed
    assert [r.case for r in rows(auditor.get(REPORTER_LOG, {"channel": "api"}))] == [second]
    assert len(rows(auditor.get(REPORTER_LOG, {"user": world.users["leader"].pk}))) == 2
    assert rows(auditor.get(REPORTER_LOG, {"user": world.users["clerk"].pk})) == []
    assert len(rows(auditor.get(REPORTER_LOG, {"accessed_at__gte": "2000-01-01 00:00:00+08:00"}))) == 2
    assert [r.case for r in rows(auditor.get(REPORTER_LOG, {"q": first.number}))] == [first]


def test_the_resident_log_shows_the_resident_masked(auditor, viewed):
    page = auditor.get(RESIDENT_LOG).content.decode()
    assert "Resident id" not in page and "居民" in page
    assert "李**" in page and "139****1111" in page
    assert "李小红" not in page and "13900001111" not in page
    detail = auditor.get(f"{RESIDENT_LOG}{rows(auditor.get(RESIDENT_LOG))[0].pk}/change/").content.decode()
    assert "139****1111" in detail and "13900001111" not in detail and "李小红" not in detail


def test_the_resident_log_purpose_is_filtered_by_kind(auditor, viewed):
    first, second = viewed
    page = auditor.get(RESIDENT_LOG).content.decode()
    # The filter offers kinds; the rows read in Chinese.
    assert "事件反映人" in page and "居民需求" in page
    assert f"case {first.number}" not in page and f"事件 {first.number}" in page and "居民需求 #7" in page
    assert {r.purpose for r in rows(auditor.get(RESIDENT_LOG, {"purpose_kind": "case"}))} == {
        f"case {first.number}", f"case {second.number}"}
    assert [r.purpose for r in rows(auditor.get(RESIDENT_LOG, {"purpose_kind": "need"}))] == ["neighbourhood:need:7"]
    assert rows(auditor.get(RESIDENT_LOG, {"purpose_kind": "other"})) == []


def test_the_resident_log_is_searched_by_case_number_or_staff_and_filtered_by_staff(auditor, viewed, world):
    first, second = viewed
    assert [r.purpose for r in rows(auditor.get(RESIDENT_LOG, {"q": first.number.lower()}))] == [
        f"case {first.number}"]
    assert {r.user for r in rows(auditor.get(RESIDENT_LOG, {"q": "leader"}))} == {world.users["leader"]}
    assert {r.user for r in rows(auditor.get(RESIDENT_LOG, {"q": "clerk"}))} == {world.users["clerk"]}
    assert rows(auditor.get(RESIDENT_LOG, {"q": "13900001111"})) == []  # no phone oracle
    page = auditor.get(RESIDENT_LOG).content.decode()
    assert f"?user={world.users['leader'].pk}" in page  # the staff filter offers who looked
    assert {r.user for r in rows(auditor.get(RESIDENT_LOG, {"user": world.users["clerk"].pk}))} == {
        world.users["clerk"]}
    assert len(rows(auditor.get(RESIDENT_LOG, {"accessed_at__gte": "2000-01-01 00:00:00+08:00"}))) == 3
    assert auditor.get(RESIDENT_LOG, {"resident__phone": "13900001111"}).status_code == 400
