"""Findings become cases through the case actions; on-the-spot ones count as resolved on time."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from wangge.cases import actions as case_actions
from wangge.cases.choices import AssignmentRole, CaseStatus, Channel, HandlingType
from wangge.cases.models import Case
from wangge.cases.panels import panels_for
from wangge.cases.selectors import work_queue
from wangge.core.errors import Forbidden, InvalidInput, NotFound
from wangge.notifications.models import Notification
from wangge.org.choices import Role
from wangge.patrols import actions
from wangge.patrols.choices import FindingClass
from wangge.patrols.figures import By, compliance
from wangge.patrols.models import Finding, OfficerRole
from wangge.patrols.windows import today
from wangge.testing import make_category
from wangge.testing.factories import make_user

from .conftest import visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def category(world):
    return make_category("乱堆乱放", department=world.departments["huanwei"])


def test_a_finding_becomes_a_case_with_the_points_grid_and_channel_patrol(world, daily_point, category, client):
    c = visit(world, daily_point).checkin
    finding = actions.report_finding(actor=world.users["worker_a1"], checkin=c, description="店门口占道堆放杂物",
                                     handling_class=FindingClass.COORDINATION, category=category)
    case = finding.case
    assert case.channel == Channel.PATROL and case.grid_id == daily_point.grid_id
    assert case.community_id == world.communities[0].pk and case.created_by == world.users["worker_a1"]
    assert case.status == CaseStatus.SUBMITTED and case.handling_type == HandlingType.COORDINATION
    assert case.longitude == pytest.approx(daily_point.longitude) and case.address == daily_point.name
    assert Finding.objects.get(case=case).checkin == c
    # The community's secretary is told; the case page shows where it came from.
    assert Notification.objects.filter(recipient=world.users["secretary_a"], kind="patrol_finding").exists()
    panel = [p for p in panels_for(case, world.users["clerk"]) if p["key"] == "patrols"]
    assert panel and panel[0]["context"]["point"] == daily_point
    client.force_login(world.users["clerk"])
    page = client.get(f"/cases/{case.number}/").content.decode()
    origin = page.split('data-testid="patrol-origin"', 1)[1].split("</p>", 1)[0]
    assert daily_point.name in origin and str(world.users["worker_a1"]) in origin
    assert f'href="{reverse("patrols:checkin", args=[c.pk])}"' in origin


def test_an_on_the_spot_resolution_counts_as_resolved_on_time(world, daily_point, category):
    worker = world.users["worker_a1"]
    c = visit(world, daily_point).checkin
    finding = actions.report_finding(actor=worker, checkin=c, description="垃圾桶倒了", category=category,
                                     handling_class=FindingClass.GENERAL, result="已扶正并清扫")
    case = Case.objects.get(pk=finding.case.pk)
    assert finding.on_the_spot and case.status == CaseStatus.RESOLVED and case.resolved_on_time is True
    assert case.result == "已扶正并清扫"
    lead = case.assignments.get(active=True, role=AssignmentRole.LEAD)
    assert lead.user == worker and lead.claimed_by == worker
    figures = compliance(world.users["secretary_a"], first=today(), last=today(), by=By.GRID)
    row = next(r for r in figures.rows if r.key == daily_point.grid_id)
    assert row.values["on_the_spot"] == 1 and row.values["findings"] == 1 and row.values["patrol_cases"] == 1
    # A clerk closes it like any resolved case: found by the worker, there is nobody to call back,
    # and the close says so.
    case = case_actions.close_case(case=case, actor=world.users["clerk"], without_revisit="no_contact")
    assert case.status == CaseStatus.CLOSED


def test_on_the_spot_needs_a_category_and_a_result_and_writes_nothing_without(world, daily_point, category):
    c = visit(world, daily_point).checkin
    for kwargs in ({"category": None, "result": "done"}, {"category": category, "result": ""}):
        with pytest.raises(InvalidInput):
            actions.report_finding(actor=world.users["worker_a1"], checkin=c, description="x",
                                   handling_class=FindingClass.GENERAL, **kwargs)
    assert not Case.objects.exists() and not Finding.objects.exists()


def test_an_emergency_notifies_the_sub_district_at_once(world, daily_point):
    c = visit(world, daily_point).checkin
    finding = actions.report_finding(actor=world.users["worker_a1"], checkin=c, description="燃气泄漏气味",
                                     handling_class=FindingClass.EMERGENCY)
    assert finding.case.handling_type == HandlingType.EMERGENCY
    told = set(Notification.objects.filter(kind="patrol_emergency").values_list("recipient__username", flat=True))
    assert {"leader", "clerk", "district_leader"} <= told and "worker_b1" not in told


def test_a_finding_resend_is_idempotent_and_only_the_worker_who_checked_in_reports(world, daily_point):
    c = visit(world, daily_point).checkin
    client_id = uuid.uuid4()
    one = actions.report_finding(actor=world.users["worker_a1"], checkin=c, description="井盖松动",
                                 handling_class=FindingClass.APPROVAL, client_id=client_id)
    two = actions.report_finding(actor=world.users["worker_a1"], checkin=c, description="井盖松动",
                                 handling_class=FindingClass.APPROVAL, client_id=client_id)
    assert one.pk == two.pk and Case.objects.count() == 1
    with pytest.raises(Forbidden):
        actions.report_finding(actor=world.users["chief_a1"], checkin=c, description="x",
                               handling_class=FindingClass.APPROVAL)
    with pytest.raises(NotFound):
        actions.report_finding(actor=world.users["worker_b1"], checkin=c, description="x",
                               handling_class=FindingClass.APPROVAL)


def test_the_grid_whistle_summons_the_grids_officers_who_report_in(world, daily_point, category):
    officer = world.users["chengguan"]
    role = OfficerRole.objects.get(name="城管队员")
    with pytest.raises(InvalidInput):  # not an officer of that department
        actions.appoint_officer(actor=world.users["secretary_a"], grid=world.grids[0], user=officer,
                                department=world.departments["huanwei"], role=role)
    actions.appoint_officer(actor=world.users["secretary_a"], grid=world.grids[0], user=officer,
                            department=world.departments["chengguan"], role=role)
    c = visit(world, daily_point).checkin
    finding = actions.report_finding(actor=world.users["worker_a1"], checkin=c, description="夜市占道",
                                     handling_class=FindingClass.COORDINATION, category=category)
    case = finding.case
    with pytest.raises(Exception):  # not accepted yet
        actions.blow_whistle(actor=world.users["secretary_a"], case=case)
    case = case_actions.accept_case(case=case, actor=world.users["secretary_a"])
    with pytest.raises(Exception):  # a worker cannot dispatch
        actions.blow_whistle(actor=world.users["worker_a1"], case=case)
    case = actions.blow_whistle(actor=world.users["secretary_a"], case=case)
    assist = case.assignments.get(active=True, role=AssignmentRole.ASSIST)
    assert assist.user == officer and case.status == CaseStatus.DISPATCHED
    assert case.pk in [c.pk for c in work_queue(officer).rows]
    case_actions.report_in(case=case, actor=officer)
    # The grid, as lead, may whistle again: nobody new to summon.
    with pytest.raises(Exception):
        actions.blow_whistle(actor=world.users["worker_a1"], case=case)
    other = make_user(Role.DEPARTMENT_OFFICER, department=world.departments["chengguan"], username="cg2")
    actions.appoint_officer(actor=world.users["chief_a1"], grid=world.grids[0], user=other,
                            department=world.departments["chengguan"], role=OfficerRole.objects.get(name="公安巡逻员"))
    case = actions.blow_whistle(actor=world.users["worker_a1"], case=case)
    assert set(case.assignments.filter(active=True, role=AssignmentRole.ASSIST).values_list("user__username", flat=True)) \
        == {"officer_cg", "cg2"}


def test_a_finding_on_a_stale_check_in_is_refused(world, daily_point, clock):
    clock.set(2026, 11, 24, 9)
    c = visit(world, daily_point).checkin
    clock.advance(hours=80)
    with pytest.raises(InvalidInput):
        actions.report_finding(actor=world.users["worker_a1"], checkin=c, description="x",
                               handling_class=FindingClass.APPROVAL)
    assert dt.date(2026, 11, 24) == c.client_time.astimezone(clock.at.tzinfo).date()


def test_on_the_spot_is_refused_outside_the_workers_grid_and_writes_nothing(world, category):
    from wangge.cases.errors import CaseError

    with pytest.raises(CaseError):
        case_actions.file_and_resolve_on_the_spot(actor=world.users["worker_a1"], category=category, result="已处理",
                                                  channel=Channel.PATROL, description="别的网格的问题",
                                                  region=world.grids[2])
    with pytest.raises(CaseError):  # a department officer files no cases at all
        case_actions.file_and_resolve_on_the_spot(actor=world.users["chengguan"], category=category, result="已处理",
                                                  channel=Channel.PATROL, description="x", region=world.grids[0])
    assert not Case.objects.exists()
    case = case_actions.file_and_resolve_on_the_spot(actor=world.users["worker_a1"], category=category,
                                                     result="已处理", channel=Channel.PATROL, description="本网格",
                                                     region=world.grids[0])
    assert case.status == CaseStatus.RESOLVED and case.resolved_on_time
    assert [e.type for e in case.events.order_by("pk")][:4] == ["created", "accepted", "claimed", "resolved"]


def test_an_officer_sunk_into_a_grid_sees_that_grids_cases_and_no_others(world):
    from django.contrib.auth import get_user_model

    from wangge.cases.permissions import can_see
    from wangge.cases.selectors import cases_visible_to
    from wangge.testing.factories import file_case

    here, elsewhere = file_case(world, grid=world.grids[0]), file_case(world, grid=world.grids[-1])
    officer = make_user(Role.DEPARTMENT_OFFICER, department=world.departments["chengguan"], username="cg_sunk")
    colleague = make_user(Role.DEPARTMENT_OFFICER, department=world.departments["chengguan"], username="cg_desk")
    fresh = get_user_model().objects.get
    assert not can_see(fresh(pk=officer.pk), here)  # not dispatched to 城管: not theirs yet
    actions.appoint_officer(actor=world.users["secretary_a"], grid=world.grids[0], user=officer,
                            department=world.departments["chengguan"], role=OfficerRole.objects.get(name="城管队员"))
    visible = set(cases_visible_to(fresh(pk=officer.pk)).values_list("pk", flat=True))
    assert here.pk in visible and elsewhere.pk not in visible
    assert can_see(fresh(pk=officer.pk), here) and not can_see(fresh(pk=officer.pk), elsewhere)
    assert here.pk not in set(cases_visible_to(fresh(pk=colleague.pk)).values_list("pk", flat=True))
    # Seeing is not handling: a case not dispatched to them cannot be claimed.
    from wangge.cases.permissions import can

    assert not can(fresh(pk=officer.pk), "claim", here)
