"""The escalation sweep (亮灯督办 / 自动升级): lights move green → amber → red with events and
notifications, overdue cases go up one level once, the cost follows the due cases only, and the
due state lives in the rows, so a sweep after a pause still catches everything."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wangge.cases import actions
from wangge.cases.actions import Target
from wangge.cases.choices import CaseLevel, CaseStatus, EventType, Light, Stage
from wangge.cases.models import Case, CaseEvent, SlaPolicy
from wangge.cases.tasks import run_sweep, schedule_next_sweep, sweep_deadlines
from wangge.notifications.models import Notification, NotificationKind
from wangge.org.choices import Role
from wangge.testing import file_case, make_category, make_user

from .core_helpers import clock, local  # noqa: F401 (fixture)

T0 = local("2026-11-24 10:00")


def at(**kwargs) -> dt.datetime:
    return T0 + dt.timedelta(**kwargs)


def recipients(kind: str, case: Case) -> set[str]:
    return set(Notification.objects.about(case).filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.fixture
def section_case(world, clock):
    """A case dispatched at T0 to the sub-district's 平安办 (level: sub-district), 24 hours to resolve."""
    clock.set(T0)
    make_user(Role.DEPARTMENT_OFFICER, department=world.departments["pingan"], username="officer_pa")
    policy = SlaPolicy.objects.create(name="24小时办结", resolve_value=24, resolve_unit="hours")
    case = file_case(world, category=make_category(department=world.departments["pingan"], policy=policy))
    clerk = world.users["clerk"]
    case = actions.accept_case(case=case, actor=clerk)
    case = actions.dispatch_case(case=case, actor=clerk, lead=Target(department=world.departments["pingan"]))
    assert case.current_level == CaseLevel.SUBDISTRICT and case.resolve_due_at == at(hours=24)
    return case


def test_lights_move_green_amber_red_with_events_and_notifications(world, clock):
    clock.set(T0)
    case = file_case(world)  # accept within 1 minute
    assert (case.light, case.next_check_at) == (Light.GREEN, at(seconds=48))

    assert run_sweep(now=at(seconds=30)).examined == 0
    result = run_sweep(now=at(seconds=50))
    assert (result.examined, result.lights, result.escalated) == (1, 1, 0)
    case.refresh_from_db()
    assert (case.light, case.next_check_at) == (Light.AMBER, at(minutes=1))
    event = case.events.get(type=EventType.LIGHT_CHANGED)
    assert event.data["light"] == ["green", "amber"] and event.data["stage"] == Stage.ACCEPT
    assert event.actor is None and event.actor_kind == "system"
    assert recipients(NotificationKind.NEARING, case) == {"clerk", "clerk2", "leader"}

    result = run_sweep(now=at(seconds=61))
    assert (result.examined, result.lights, result.escalated) == (1, 1, 0)
    case.refresh_from_db()
    assert (case.light, case.breached_stage, case.next_check_at) == (Light.RED, Stage.ACCEPT, None)
    assert recipients(NotificationKind.OVERDUE, case) == {"clerk", "clerk2", "leader"}
    assert case.status == CaseStatus.SUBMITTED  # only the resolve stage escalates
    assert run_sweep(now=at(hours=5)).examined == 0


def test_the_sweep_notices_name_the_case_and_its_deadline_in_local_time(world, section_case):
    """The light warnings gave "11-25 10:00" — no year, no word of which deadline — and the
    escalation none at all: each names the case and the deadline it now runs to (办结时限, or the
    new level's 派单时限), to the minute in Asia/Shanghai time whatever zone is active."""
    case = section_case

    def told(kind, username):
        return Notification.objects.about(case).get(kind=kind, recipient__username=username).message

    with timezone.override(dt.timezone.utc):
        run_sweep(now=at(hours=20))
        run_sweep(now=at(hours=24, seconds=1))
    assert told(NotificationKind.NEARING, "officer_pa") == f"事件 {case.number} 即将到期：办结时限 2026-11-25 10:00。"
    assert told(NotificationKind.OVERDUE, "officer_pa") == f"事件 {case.number} 已超期：办结时限 2026-11-25 10:00。"
    assert told(NotificationKind.ESCALATED, "district_leader") == (
        f"事件 {case.number} 已上报至本级，派单时限 2026-11-25 10:15：超期未办结，自动上报。")


def test_overdue_case_is_escalated_one_level_and_the_new_level_told(world, clock, section_case):
    case = section_case
    result = run_sweep(now=at(hours=20))  # 80 % of 24 h is 19 h 12 min
    assert result.lights == 1
    assert recipients(NotificationKind.NEARING, case) == {"officer_pa"}

    now = at(hours=24, seconds=1)
    result = run_sweep(now=now)
    assert (result.examined, result.escalated) == (1, 1)
    case.refresh_from_db()
    assert (case.status, case.current_level, case.star) == (CaseStatus.ACCEPTED, CaseLevel.DISTRICT, 2)
    assert case.escalation_count == 1 and not case.assignments.filter(active=True).exists()
    assert case.dispatch_due_at == now + dt.timedelta(minutes=15)  # the district has its own clock
    escalated = case.events.get(type=EventType.ESCALATED)
    assert escalated.actor is None and escalated.data["automatic"] is True
    assert escalated.data["level"] == ["subdistrict", "district"]
    assert recipients(NotificationKind.ESCALATED, case) == {"district_leader"}
    assert "officer_pa" in recipients(NotificationKind.OVERDUE, case)

    # Idempotent: the same sweep again, or a little later, escalates nothing more.
    assert run_sweep(now=now).examined == 0
    run_sweep(now=now + dt.timedelta(minutes=5))
    assert case.events.filter(type=EventType.ESCALATED).count() == 1


def test_a_due_escalation_survives_a_stopped_worker(world, clock, section_case):
    """Nobody ran the sweep for a week (the worker was down): the first sweep after the restart
    still finds the case, turns it red and escalates it exactly once."""
    later = at(days=7)
    result = run_sweep(now=later)
    assert result.escalated == 1
    case = Case.objects.get(pk=section_case.pk)
    assert case.current_level == CaseLevel.DISTRICT
    light = case.events.filter(type=EventType.LIGHT_CHANGED).first()
    assert light.data["light"] == ["green", "red"]
    # Its new dispatch stage then runs late too: red, but no second escalation.
    run_sweep(now=later + dt.timedelta(hours=1))
    case.refresh_from_db()
    assert (case.light, case.breached_stage, case.escalation_count) == (Light.RED, Stage.DISPATCH, 1)


def test_policy_without_automatic_escalation_only_turns_red(world, clock, section_case):
    SlaPolicy.objects.filter(pk=section_case.sla_policy_id).update(escalate_when_overdue=False)
    assert run_sweep(now=at(days=2)).escalated == 0
    case = Case.objects.get(pk=section_case.pk)
    assert (case.status, case.light, case.next_check_at) == (CaseStatus.DISPATCHED, Light.RED, None)


def test_city_level_case_is_not_escalated_further(world, clock, section_case):
    clerk, leader, admin = world.users["clerk"], world.users["district_leader"], world.users["admin"]
    case = actions.escalate_case(case=section_case, actor=clerk, reason="街道协调不了")
    case = actions.escalate_case(case=case, actor=leader, reason="区里协调不了")
    case = actions.dispatch_case(case=case, actor=admin, lead=Target(user=admin))  # the city handles it
    assert (case.current_level, case.status) == (CaseLevel.CITY, CaseStatus.DISPATCHED)
    result = run_sweep(now=at(days=30))
    assert (result.examined, result.escalated) == (1, 0)
    case.refresh_from_db()
    assert (case.light, case.breached_stage, case.next_check_at) == (Light.RED, Stage.RESOLVE, None)
    assert case.events.filter(type=EventType.ESCALATED).count() == 2  # the two by hand


def test_suspended_and_finished_cases_are_left_alone(world, clock, section_case):
    officer = type(world.users["clerk"]).objects.get(username="officer_pa")
    actions.suspend_case(case=section_case, actor=officer, reason="等待居民在家")
    resolved = file_case(world, category=make_category(department=world.departments["chengguan"]))
    resolved = actions.accept_case(case=resolved, actor=world.users["clerk"])
    actions.reject_case(case=resolved, actor=world.users["clerk"], reason="重复")
    assert run_sweep(now=at(days=10)).examined == 0


def sweep_queries(now) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        result = run_sweep(now=now)
    return result.examined, len(ctx.captured_queries)


def test_sweep_cost_follows_due_cases_not_open_cases(world, clock):
    slow = make_category("慢", policy=SlaPolicy.objects.create(name="慢", accept_value=10, accept_unit="hours"))
    clock.set(T0)
    for _ in range(2):
        file_case(world)  # due for amber at T0 + 48 s
    for _ in range(3):
        file_case(world, category=slow)  # not due for hours
    examined, few_open = sweep_queries(at(seconds=50))
    assert examined == 2
    run_sweep(now=at(seconds=61))  # the first two turn red and leave the sweep's view

    clock.set(at(seconds=70))
    for _ in range(2):
        file_case(world)
    for _ in range(40):
        file_case(world, category=slow)
    examined, many_open = sweep_queries(at(seconds=120))
    assert examined == 2
    assert many_open == few_open, "the sweep must not read the cases that are not due"
    assert Case.objects.filter(status=CaseStatus.SUBMITTED).count() == 47

    examined, idle = sweep_queries(at(seconds=121))
    assert examined == 0 and idle <= 3


def test_sweep_uses_the_next_check_index():
    names = {index.name for index in Case._meta.indexes}
    assert "case_next_check" in names
    index = next(i for i in Case._meta.indexes if i.name == "case_next_check")
    assert index.fields == ["next_check_at"] and index.condition is not None


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def waiting_sweeps():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=sweep_deadlines.module_path, status="READY")


def test_schedule_next_sweep_keeps_a_single_chain(db, db_tasks):
    for _ in range(3):
        schedule_next_sweep()
    assert waiting_sweeps().count() == 1
    # A sweep that finishes while the next one is already waiting does not add another.
    sweep_deadlines.call()
    assert waiting_sweeps().count() == 1


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after each task
def test_the_worker_runs_the_sweep_which_schedules_the_next(db_tasks):
    from django_tasks_db.models import DBTaskResult

    schedule_next_sweep(delay=0)
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)
    statuses = sorted(DBTaskResult.objects.filter(task_path=sweep_deadlines.module_path)
                      .values_list("status", flat=True))
    assert statuses == ["READY", "SUCCESSFUL"]
    assert waiting_sweeps().get().run_after > dt.datetime.now(dt.timezone.utc)
    assert CaseEvent.objects.count() == 0


def test_a_stage_that_starts_overdue_is_reported_once(world, clock):
    """Accepted 20 minutes after filing: the 15-minute dispatch target has already passed. The
    next sweep records that breach and tells the dispatchers, once."""
    clock.set(T0)
    case = file_case(world, category=make_category(department=world.departments["chengguan"]))
    run_sweep(now=at(minutes=2))  # the accept stage turns red
    clock.set(at(minutes=20))
    case = actions.accept_case(case=case, actor=world.users["clerk"])
    assert (case.light, case.next_check_at) == (Light.RED, case.dispatch_due_at)
    Notification.objects.all().delete()
    result = run_sweep(now=at(minutes=21))
    assert (result.examined, result.lights) == (1, 1)
    case.refresh_from_db()
    assert (case.breached_stage, case.next_check_at) == (Stage.DISPATCH, None)
    assert recipients(NotificationKind.OVERDUE, case) == {"clerk", "clerk2", "leader"}
    breaches = case.events.filter(type=EventType.LIGHT_CHANGED, data__stage=Stage.DISPATCH)
    assert breaches.count() == 1
    assert run_sweep(now=at(hours=3)).examined == 0


def test_one_failing_case_does_not_stop_the_sweep(world, clock, monkeypatch):
    clock.set(T0)
    cases = [file_case(world) for _ in range(3)]
    bad = cases[0]
    original = actions.check_deadline

    def flaky(case, now):
        if case.pk == bad.pk:
            raise RuntimeError("boom")
        return original(case, now)

    monkeypatch.setattr(actions, "check_deadline", flaky)
    result = run_sweep(now=at(seconds=50), batch_size=2)
    assert result.lights == 2
    lights = dict(Case.objects.values_list("pk", "light"))
    assert lights[bad.pk] == Light.GREEN and lights[cases[1].pk] == lights[cases[2].pk] == Light.AMBER
    bad.refresh_from_db()
    assert bad.next_check_at == at(seconds=50, minutes=5)  # retried later, not blocking the queue
    monkeypatch.setattr(actions, "check_deadline", original)
    run_sweep(now=at(minutes=6))
    bad.refresh_from_db()
    assert bad.light == Light.RED


def test_light_changes_of_a_batch_are_written_together_and_correctly(world, clock):
    """Many cases turning amber at once cost one UPDATE, and each row gets its own light and
    next check time (the batch write must not mix cases up)."""
    clock.set(T0)
    cases = [file_case(world) for _ in range(12)]
    now = at(seconds=50)  # past 80 % of the 1-minute accept target, before the deadline
    with CaptureQueriesContext(connection) as ctx:
        result = run_sweep(now=now)
    assert result.examined == 12 and result.lights == 12
    updates = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "cases_case"')]
    assert len(updates) == 1
    for case in cases:
        case.refresh_from_db()
        assert case.light == Light.AMBER
        assert case.next_check_at == case.accept_due_at
        assert case.updated_at >= now - dt.timedelta(minutes=5)
    assert CaseEvent.objects.filter(type=EventType.LIGHT_CHANGED).count() == 12


def test_a_case_escalated_for_being_late_is_not_resolved_on_time_on_the_new_clock(world, clock, section_case):
    """The level above works to a fresh deadline, but the resident waited past the promise: the
    on-time rate must not count it (a manual escalation of an unsolvable case does not count)."""
    clock.set(at(hours=24, seconds=1))
    run_sweep(now=at(hours=24, seconds=1))
    case = Case.objects.get(pk=section_case.pk)
    district = make_user(Role.LEADER, region=world.district, username="district_dispatcher")
    case = actions.dispatch_case(case=case, actor=district, lead=Target(department=world.departments["chengguan"]))
    clock.set(at(hours=26))
    officer = world.users["chengguan"]
    case = actions.claim_case(case=case, actor=officer)
    case = actions.resolve_case(case=Case.objects.get(pk=case.pk), actor=officer, result="已处理")
    assert case.resolved_at < case.resolve_due_at  # within the district's own clock …
    assert case.resolved_on_time is False  # … but late for the resident
    assert case.events.get(type=EventType.RESOLVED).data["on_time"] is False
