"""按时响应 is a fact about the first acceptance: a case accepted late stays late on the
dashboard and on its page whatever happens to it afterwards — escalated to the next level
(by hand or by the sweep), suspended and resumed, reopened after the resident's rating. The
acceptance deadline the clerk had is the one the case keeps."""

from __future__ import annotations

import pytest

from wangge.cases import actions
from wangge.cases.choices import CaseStatus, DurationUnit, Light, Stage
from wangge.cases.models import Case, SlaPolicy
from wangge.cases.selectors import stage_deadlines
from wangge.dashboard.metrics import RESPONDED
from wangge.testing import file_case, make_category, report_in_all

from .core_helpers import clock, local  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def responded_on_time(case: Case) -> bool:
    return Case.objects.filter(RESPONDED, pk=case.pk).exists()


def accept_row(case: Case, now) -> dict:
    case.refresh_from_db()
    return next(row for row in stage_deadlines(case, now) if row["stage"] == Stage.ACCEPT)


def _accepted(world, clock, *, minutes_late: int) -> tuple[Case, object]:
    clock.set(local("2026-03-02 09:00"))  # a Monday
    case = file_case(world, category=make_category(department=world.departments["chengguan"]))
    due = case.accept_due_at
    clock.set(due)
    clock.advance(minutes=minutes_late, seconds=-30)  # 30 s before the deadline, or minutes after it
    case = actions.accept_case(case=case, actor=world.users["clerk"])
    return case, due


def _handled(world, case):
    case = actions.dispatch_case(case=case, actor=world.users["clerk"],
                                 lead=actions.Target(department=world.departments["chengguan"]))
    return actions.claim_case(case=case, actor=world.users["chengguan"])


def test_a_late_acceptance_stays_late_after_escalation(world, clock):
    case, due = _accepted(world, clock, minutes_late=10)
    assert not responded_on_time(case)
    clock.advance(days=3)

    actions.escalate_case(case=case, actor=world.users["clerk"], reason="本级无法解决")

    assert not responded_on_time(case)
    row = accept_row(case, clock.now)
    assert row["due_at"] == due and row["badge"] == Light.RED


def test_an_acceptance_in_time_stays_in_time_after_escalation(world, clock):
    case, due = _accepted(world, clock, minutes_late=0)
    assert responded_on_time(case)
    clock.advance(days=3)

    actions.escalate_case(case=case, actor=world.users["clerk"], reason="本级无法解决")

    assert responded_on_time(case)
    row = accept_row(case, clock.now)
    assert row["due_at"] == due and row["badge"] == Light.GREEN


def test_a_late_acceptance_stays_late_after_suspending_and_resuming(world, clock):
    case, due = _accepted(world, clock, minutes_late=10)
    case = _handled(world, case)
    officer = world.users["chengguan"]
    case = actions.suspend_case(case=case, actor=officer, reason="等待业主回复")
    clock.advance(days=3)
    resolve_due = Case.objects.get(pk=case.pk).resolve_due_at

    case = actions.resume_case(case=case, actor=officer)

    assert not responded_on_time(case)
    assert accept_row(case, clock.now)["due_at"] == due
    assert case.resolve_due_at > resolve_due  # the stage still running gets the paused time back


def test_a_late_acceptance_stays_late_after_reopening(world, clock):
    case, due = _accepted(world, clock, minutes_late=10)
    case = _handled(world, case)
    report_in_all(world, case)
    case = actions.resolve_case(case=case, actor=world.users["chengguan"], result="已清理")
    clock.advance(days=1)

    case = actions.reopen_case(case=case, actor=world.users["clerk"], reason="居民不满意，重办")

    assert case.status in (CaseStatus.DISPATCHED, CaseStatus.ACCEPTED)
    assert not responded_on_time(case)
    assert accept_row(case, clock.now)["due_at"] == due


def test_a_late_acceptance_stays_late_after_a_new_category_with_a_slower_policy(world, clock):
    case, due = _accepted(world, clock, minutes_late=10)
    slow = SlaPolicy.objects.create(name="慢", accept_value=1, accept_unit=DurationUnit.HOURS)

    case = actions.classify_case(case=case, actor=world.users["clerk"],
                                 category=make_category("违章搭建", department=world.departments["chengguan"], policy=slow))

    assert case.sla_policy == slow
    assert not responded_on_time(case)
    assert accept_row(case, clock.now)["due_at"] == due
