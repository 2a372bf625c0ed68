"""``led_by_departments`` reads "which department leads this case now" from the case's own
columns (``lead_department`` and a held status) instead of the assignments — whose active leads
include every case a department ever led. It must agree with the assignments after every action
that starts, ends or replaces a lead, or a department's desk would show a case it no longer
holds (or miss one it does)."""

import pytest

from wangge.cases import actions
from wangge.cases.choices import AssignmentRole, CaseStatus
from wangge.cases.models import Case, CaseAssignment
from wangge.cases.selectors import HELD_STATUSES, led_by_departments
from wangge.testing import case_in_state

pytestmark = pytest.mark.django_db


def _by_assignment(department) -> set[int]:
    """The definition: an active lead assignment of the department on a case in a held status."""
    leads = CaseAssignment.objects.filter(department=department, active=True, role=AssignmentRole.LEAD)
    return set(Case.objects.filter(pk__in=leads.values("case_id"), status__in=HELD_STATUSES)
               .values_list("pk", flat=True))


def _agree(world, step: str) -> None:
    for department in world.departments.values():
        by_columns = set(Case.objects.filter(led_by_departments([department.pk])).values_list("pk", flat=True))
        assert by_columns == _by_assignment(department), (step, department.code)


def test_the_lead_read_from_the_case_agrees_with_its_assignments_through_the_lifecycle(world):
    chengguan, huanwei = world.departments["chengguan"], world.departments["huanwei"]
    clerk, leader = world.users["clerk"], world.users["leader"]
    # Held by 城管, then claimed, suspended and resumed.
    case = case_in_state(world, CaseStatus.DISPATCHED)
    _agree(world, "dispatched")
    case = actions.claim_case(case=case, actor=world.users["chengguan"])
    _agree(world, "claimed")
    case = actions.suspend_case(case=case, actor=world.users["chengguan"], reason="等待业主配合")
    _agree(world, "suspended")
    case = actions.resume_case(case=case, actor=world.users["chengguan"])
    _agree(world, "resumed")
    # 退回: back with the sub-district, 城管 still its lead_department column but no longer holding it.
    case = actions.return_case(case=case, actor=world.users["chengguan"], reason="不属于城管职责")
    assert case.status == CaseStatus.ACCEPTED and case.lead_department_id == chengguan.pk
    _agree(world, "returned")
    # Dispatched again to 环卫, resolved, reopened (back to its last lead), closed.
    case = actions.dispatch_case(case=case, actor=clerk, lead=actions.Target(department=huanwei))
    _agree(world, "dispatched elsewhere")
    case = actions.claim_case(case=case, actor=world.users["huanwei"])
    case = actions.resolve_case(case=case, actor=world.users["huanwei"], result="已清运")
    _agree(world, "resolved")
    case = actions.reopen_case(case=case, actor=leader, reason="居民反映仍未清运")
    assert case.status == CaseStatus.DISPATCHED
    _agree(world, "reopened")
    # 上报: the district takes it over; 环卫 no longer holds it.
    case = actions.escalate_case(case=case, actor=world.users["huanwei"], reason="需要区级协调")
    _agree(world, "escalated")
    # Claimed by a grid worker in person: no department leads it.
    other = case_in_state(world, CaseStatus.ACCEPTED)
    other = actions.claim_case(case=other, actor=world.users["worker_a1"])
    assert other.status == CaseStatus.IN_PROGRESS and other.lead_department_id is None
    _agree(world, "claimed by a grid worker")
    # Merged away while held.
    held = case_in_state(world, CaseStatus.DISPATCHED)
    actions.merge_case(case=held, into=other, actor=clerk)
    _agree(world, "merged")
