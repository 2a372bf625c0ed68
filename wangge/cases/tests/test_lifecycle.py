"""The lifecycle (办理流程): every action from every status — allowed ones write exactly their
change and one event, refused ones write nothing — and the behaviour of each action."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from wangge.cases import actions
from wangge.cases.actions import Target
from wangge.cases.choices import (
    AssignmentRole,
    CaseLevel,
    CaseStatus,
    EventType,
    ExtensionStatus,
    Light,
    Satisfaction,
    StarLevel,
)
from wangge.cases.errors import ActionForbidden, CaseNotFound, InvalidInput, InvalidTransition
from wangge.cases.models import Case, CaseEvent, ExtensionRequest
from wangge.cases.models.event import ActorKind
from wangge.cases.transitions import TRANSITIONS
from wangge.notifications.models import Notification, NotificationKind
from wangge.org.choices import Role
from wangge.testing import file_case, make_category, make_user, png

from .core_helpers import clock, joint_case, last_event, written_state  # noqa: F401 (fixture)


def close_after_revisit_ready(world, case: Case) -> None:
    """The callback (三看) and the rating recorded: what a close needs."""
    actions.revisit_case(case=case, actor=world.users["clerk"], lawful=True, in_place=True, accepted=True)
    actions.rate_case(case=case, actor=world.users["clerk"], satisfaction=Satisfaction.SATISFIED)

ALL_STATUSES = list(CaseStatus)
EXPECTED_EVENT = {
    "accept": EventType.ACCEPTED,
    "reject": EventType.REJECTED,
    "classify": EventType.CLASSIFIED,
    "dispatch": EventType.DISPATCHED,
    "redispatch": EventType.DISPATCHED,
    "claim": EventType.CLAIMED,
    "report_in": EventType.REPORTED_IN,
    "return": EventType.RETURNED,
    "progress": EventType.PROGRESS,
    "request_extension": EventType.EXTENSION_REQUESTED,
    "decide_extension": EventType.EXTENSION_APPROVED,
    "agree_deadline": EventType.DEADLINE_AGREED,
    "suspend": EventType.SUSPENDED,
    "resume": EventType.RESUMED,
    "resolve": EventType.RESOLVED,
    "escalate": EventType.ESCALATED,
    "revisit": EventType.REVISITED,
    "revisit_attempt": EventType.REVISIT_FAILED,
    "rate": EventType.RATED,
    "reopen": EventType.REOPENED,
    "close": EventType.CLOSED,
    "merge": EventType.MERGED,
    "urge": EventType.URGED,
}


def prepare(world, action: str, case: Case) -> dict:
    """Rows an action needs that are not the case itself (written before the snapshot): what the
    lifecycle asks before the step (the co-handler's 报到 before 办结, the revisit before 结案)."""
    if action == "resolve" and case.status == CaseStatus.IN_PROGRESS:
        actions.report_in(case=case, actor=world.users["huanwei"])
    if action == "close" and case.status == CaseStatus.RESOLVED:
        close_after_revisit_ready(world, case)
    if action == "decide_extension":
        return {"request": ExtensionRequest.objects.create(
            case=case, working_days=2, reason="材料未齐", requested_by=world.users["chengguan"])}
    if action == "merge":
        return {"into": file_case(world)}
    return {}


def perform(world, action: str, case: Case, actor, note: str, extra: dict):
    """Call the action function with valid input."""
    a, d = actions, world.departments
    calls = {
        "accept": lambda: a.accept_case(case=case, actor=actor, note=note),
        "reject": lambda: a.reject_case(case=case, actor=actor, reason=note),
        "classify": lambda: a.classify_case(case=case, actor=actor, star=StarLevel.TWO, note=note),
        "dispatch": lambda: a.dispatch_case(case=case, actor=actor, lead=Target(department=d["pingan"]), note=note),
        "redispatch": lambda: a.redispatch_case(case=case, actor=actor, lead=Target(department=d["pingan"]), note=note),
        "claim": lambda: a.claim_case(case=case, actor=actor, note=note),
        "report_in": lambda: a.report_in(case=case, actor=actor, note=note),
        "return": lambda: a.return_case(case=case, actor=actor, reason=note),
        "progress": lambda: a.add_progress_note(case=case, actor=actor, note=note),
        "request_extension": lambda: a.request_extension(case=case, actor=actor, working_days=3, reason=note),
        "decide_extension": lambda: a.decide_extension(request=extra["request"], actor=actor, approve=True, note=note),
        "agree_deadline": lambda: a.agree_deadline(case=case, actor=actor, reason=note,
                                                   due_at=timezone.now() + dt.timedelta(days=10)),
        "suspend": lambda: a.suspend_case(case=case, actor=actor, reason=note),
        "resume": lambda: a.resume_case(case=case, actor=actor, note=note),
        "resolve": lambda: a.resolve_case(case=case, actor=actor, result=note),
        "escalate": lambda: a.escalate_case(case=case, actor=actor, reason=note),
        "revisit": lambda: a.revisit_case(case=case, actor=actor, lawful=True, in_place=True, accepted=True, note=note),
        "revisit_attempt": lambda: a.record_revisit_attempt(case=case, actor=actor, note=note),
        "rate": lambda: a.rate_case(case=case, actor=actor, satisfaction=Satisfaction.SATISFIED, comment=note),
        "reopen": lambda: a.reopen_case(case=case, actor=actor, reason=note),
        "close": lambda: a.close_case(case=case, actor=actor, note=note),
        "merge": lambda: a.merge_case(case=case, into=extra["into"], actor=actor, note=note),
        "urge": lambda: a.urge_case(case=case, actor=actor, note=note),
    }
    return calls[action]()


def expected_status(action: str, before: Case) -> str:
    target = TRANSITIONS[action].target
    if target is not None:
        return target
    if action == "resume":
        return before.suspended_from
    if action == "reopen":
        return CaseStatus.DISPATCHED  # back to the last lead
    return before.status


@pytest.fixture
def operator(world):
    """A superuser — so that only the transition table decides — who also works for the co-handling
    department 环卫 (so that they can report in)."""
    user = make_user(Role.DEPARTMENT_OFFICER, department=world.departments["huanwei"], username="operator",
                     is_superuser=True)
    return user


def test_every_action_is_in_the_matrix():
    assert set(TRANSITIONS) == set(EXPECTED_EVENT)


@pytest.mark.parametrize("status", ALL_STATUSES, ids=str)
@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_transition_matrix(world, operator, status, action):
    case = joint_case(world, status)
    extra = prepare(world, action, case)
    before = Case.objects.get(pk=case.pk)
    snapshot = written_state(case)
    note = f"说明-{action}"

    if status not in TRANSITIONS[action].sources:
        with pytest.raises(InvalidTransition) as info:
            perform(world, action, case, operator, note, extra)
        assert str(info.value.message)
        assert written_state(case) == snapshot, "a refused action must write nothing"
        return

    perform(world, action, case, operator, note, extra)
    after = Case.objects.get(pk=case.pk)
    assert after.status == expected_status(action, before)
    new_events = CaseEvent.objects.filter(case=case).exclude(pk__in=snapshot["events"]).order_by("pk")
    mine = [e for e in new_events if e.type == EXPECTED_EVENT[action]]
    assert len(mine) == 1, [e.type for e in new_events]
    event = mine[0]
    assert event.actor_id == operator.pk
    assert event.actor_kind == ActorKind.STAFF
    assert event.note == note
    if after.status != before.status:
        assert (event.from_status, event.to_status) == (before.status, after.status)
    else:
        assert after.status == before.status


# ---------------------------------------------------------------------------------------------
# Intake decisions
# ---------------------------------------------------------------------------------------------


def test_accept_needs_a_category_and_records_it(world):
    clerk = world.users["clerk"]
    case = file_case(world)  # hotline call, not yet classified
    before = written_state(case)
    with pytest.raises(InvalidInput) as info:
        actions.accept_case(case=case, actor=clerk)
    assert info.value.fields == {"category": "required"}
    assert written_state(case) == before

    category = make_category("油烟扰民", department=world.departments["chengguan"], star=2)
    case = actions.accept_case(case=case, actor=clerk, category=category)
    assert (case.status, case.category, case.star) == (CaseStatus.ACCEPTED, category, 2)
    event = last_event(case)
    assert event.type == EventType.ACCEPTED
    assert event.data["category"][1]["name"] == "油烟扰民"
    assert event.data["star"] == [1, 2]


def test_reject_needs_a_reason(world):
    case = joint_case(world, CaseStatus.SUBMITTED)
    before = written_state(case)
    with pytest.raises(InvalidInput):
        actions.reject_case(case=case, actor=world.users["clerk"], reason="  ")
    assert written_state(case) == before
    case = actions.reject_case(case=case, actor=world.users["clerk"], reason="非本平台受理范围")
    assert case.status == CaseStatus.REJECTED
    assert case.light == Light.NONE and case.next_check_at is None


def test_reclassify_moves_deadlines_with_the_new_policy(world):
    from wangge.cases.models import SlaPolicy

    case = joint_case(world, CaseStatus.ACCEPTED)
    quick = SlaPolicy.objects.create(name="24小时", resolve_value=24, resolve_unit="hours")
    category = make_category("井盖缺失", policy=quick)
    case = actions.classify_case(case=case, actor=world.users["clerk"], category=category, note="改类")
    assert case.resolve_due_at == case.clock_started_at + dt.timedelta(hours=24)
    event = last_event(case)
    assert event.type == EventType.CLASSIFIED
    assert event.data["sla_policy"][1]["name"] == "24小时"
    before = written_state(case)
    with pytest.raises(InvalidInput):
        actions.classify_case(case=case, actor=world.users["clerk"], category=category)
    assert written_state(case) == before


# ---------------------------------------------------------------------------------------------
# Dispatch, joint handling, claim, return
# ---------------------------------------------------------------------------------------------


def test_joint_handling_lead_co_handlers_and_report_in(world):
    clerk, cg, hw = world.users["clerk"], world.users["chengguan"], world.users["huanwei"]
    case = joint_case(world, CaseStatus.ACCEPTED)
    case = actions.dispatch_case(
        case=case, actor=clerk, lead=Target(department=world.departments["chengguan"]),
        co_handlers=[Target(department=world.departments["huanwei"]), Target(department=world.departments["pingan"])],
        note="吹哨：占道经营兼垃圾堆放",
    )
    assert case.status == CaseStatus.DISPATCHED
    assert case.current_level == CaseLevel.DISTRICT
    roles = sorted((a.role, a.department.code) for a in case.assignments.filter(active=True))
    assert roles == [("assist", "huanwei"), ("assist", "pingan"), ("lead", "chengguan")]
    event = last_event(case)
    assert event.type == EventType.DISPATCHED
    assert event.data["lead"] == "区城管执法局"
    assert sorted(event.data["co_handlers"]) == sorted(["区环卫中心", "街道平安办"])
    assert Notification.objects.about(case).filter(recipient=cg, kind=NotificationKind.ASSIGNED).count() == 1
    whistle = Notification.objects.about(case).get(recipient=hw, kind=NotificationKind.ASSIGNED)
    assert case.number in whistle.message

    # The lead resolves only what it has taken on (认领): the dispatched case is claimed first.
    before = written_state(case)
    with pytest.raises(InvalidTransition) as info:
        actions.resolve_case(case=case, actor=cg, result="已清理")
    assert "认领" in str(info.value.message)
    assert written_state(case) == before
    case = actions.claim_case(case=case, actor=cg)

    # The co-handler reports in (报到), once.
    actions.report_in(case=case, actor=hw, note="环卫已到场")
    assignment = case.assignments.get(department=world.departments["huanwei"], active=True)
    assert assignment.reported_in_at is not None
    event = last_event(case)
    assert (event.type, event.actor, event.data["handler"]) == (EventType.REPORTED_IN, hw, "区环卫中心")
    before = written_state(case)
    with pytest.raises(ActionForbidden):
        actions.report_in(case=case, actor=hw)
    # The lead has no summons to answer; a co-handler does not resolve.
    with pytest.raises(ActionForbidden):
        actions.report_in(case=case, actor=cg)
    with pytest.raises(ActionForbidden):
        actions.resolve_case(case=case, actor=hw, result="已处理")
    assert written_state(case) == before

    # 平安办 was summoned and never reported in: the lead is refused, told who is missing …
    with pytest.raises(InvalidInput) as info:
        actions.resolve_case(case=case, actor=cg, result="已清理")
    assert info.value.fields == {"without_report_in": "required"}
    assert "街道平安办" in str(info.value.message) and "区环卫中心" not in str(info.value.message)
    assert written_state(case) == before
    # … and resolves only by saying why, which is recorded with the missing co-handler's name.
    case = actions.resolve_case(case=case, actor=cg, result="已清理", without_report_in="平安办未到场，城管环卫已处置完毕")
    assert case.status == CaseStatus.RESOLVED
    event = last_event(case)
    assert event.data["not_reported_in"] == ["街道平安办"]
    assert event.data["without_report_in"] == "平安办未到场，城管环卫已处置完毕"


def test_resolve_after_every_co_handler_reported_in_needs_no_reason(world):
    cg, hw = world.users["chengguan"], world.users["huanwei"]
    case = joint_case(world, CaseStatus.IN_PROGRESS)
    actions.report_in(case=case, actor=hw)
    case = actions.resolve_case(case=case, actor=cg, result="已清理")
    assert case.status == CaseStatus.RESOLVED and "not_reported_in" not in last_event(case).data


def test_dispatch_refuses_bad_targets(world):
    clerk = world.users["clerk"]
    case = joint_case(world, CaseStatus.ACCEPTED)
    before = written_state(case)
    cg = Target(department=world.departments["chengguan"])
    with pytest.raises(InvalidInput):
        actions.dispatch_case(case=case, actor=clerk, lead=cg, co_handlers=[cg])
    with pytest.raises(InvalidInput):
        actions.dispatch_case(case=case, actor=clerk, lead=Target())
    with pytest.raises(InvalidInput):
        actions.dispatch_case(case=case, actor=clerk, lead=Target(region=world.subdistrict))
    world.departments["huanwei"].is_active = False
    world.departments["huanwei"].save()
    with pytest.raises(InvalidInput):
        actions.dispatch_case(case=case, actor=clerk, lead=Target(department=world.departments["huanwei"]))
    assert written_state(case) == before


def test_handed_down_to_community_then_passed_on(world):
    """A community that was handed a case passes it on (转派)."""
    clerk, secretary = world.users["clerk"], world.users["secretary_a"]
    case = joint_case(world, CaseStatus.ACCEPTED)
    case = actions.dispatch_case(case=case, actor=clerk, lead=Target(region=world.communities[0]))
    assert case.current_level == CaseLevel.COMMUNITY
    assert Case.objects.get(pk=case.pk).lead_department is None  # 承办: a community, no department
    with pytest.raises(ActionForbidden):
        actions.redispatch_case(case=case, actor=world.users["worker_a1"],
                                lead=Target(department=world.departments["pingan"]))
    case = actions.redispatch_case(case=case, actor=secretary, lead=Target(department=world.departments["pingan"]))
    assert case.current_level == CaseLevel.SUBDISTRICT
    assert Case.objects.get(pk=case.pk).lead_department == world.departments["pingan"]
    event = last_event(case)
    assert event.data["redispatch"] is True
    assert event.data["ended"] == [{"role": "lead", "target": "东园社区"}]


def test_grid_worker_claims_an_accepted_case_in_their_grid(world):
    """小事不出网格: a grid worker takes a small case on the spot."""
    worker = world.users["worker_a1"]
    case = joint_case(world, CaseStatus.ACCEPTED)  # filed in grid A1
    other_grid = joint_case(world, CaseStatus.ACCEPTED, grid=world.grids[2])
    with pytest.raises(CaseNotFound):
        actions.claim_case(case=other_grid, actor=worker)
    with pytest.raises(CaseNotFound):  # departments see only what was dispatched to them
        actions.claim_case(case=case, actor=world.users["chengguan"])

    case = actions.claim_case(case=case, actor=worker, note="我就在现场")
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.current_level == CaseLevel.GRID
    lead = case.lead_assignment()
    assert (lead.user, lead.claimed_by, lead.role) == (worker, worker, AssignmentRole.LEAD)
    assert Case.objects.get(pk=case.pk).lead_department is None  # a person holds it
    event = last_event(case)
    assert (event.type, event.from_status, event.to_status) == (EventType.CLAIMED, "accepted", "in_progress")
    case = actions.resolve_case(case=case, actor=worker, result="已劝离摊贩")
    assert case.status == CaseStatus.RESOLVED


def test_a_self_claimed_case_is_returned_to_the_dispatchers(world):
    worker = world.users["worker_a1"]
    case = actions.claim_case(case=joint_case(world, CaseStatus.ACCEPTED), actor=worker)
    case = actions.return_case(case=case, actor=worker, reason="需要执法，网格处理不了")
    assert case.status == CaseStatus.ACCEPTED
    assert case.current_level == CaseLevel.SUBDISTRICT
    notified = set(Notification.objects.about(case).filter(kind=NotificationKind.RETURNED)
                   .values_list("recipient__username", flat=True))
    assert "clerk" in notified and "worker_a1" not in notified


def test_return_to_dispatcher_with_reason(world):
    """退单 — a wrong dispatch goes back to the clerk who made it."""
    clerk, cg = world.users["clerk"], world.users["chengguan"]
    case = joint_case(world, CaseStatus.IN_PROGRESS)
    before = written_state(case)
    with pytest.raises(InvalidInput) as info:
        actions.return_case(case=case, actor=cg, reason="")
    assert info.value.fields == {"reason": "required"}
    with pytest.raises(ActionForbidden):  # the co-handler is not the lead
        actions.return_case(case=case, actor=world.users["huanwei"], reason="不归我们管")
    assert written_state(case) == before

    case = actions.return_case(case=case, actor=cg, reason="属于物业管理范围，非城管职责")
    assert case.status == CaseStatus.ACCEPTED
    assert not case.assignments.filter(active=True).exists()
    event = last_event(case)
    assert (event.type, event.from_status, event.to_status) == (EventType.RETURNED, "in_progress", "accepted")
    assert event.note == "属于物业管理范围，非城管职责"
    assert {e["target"] for e in event.data["ended"]} == {"区城管执法局", "区环卫中心"}
    note = Notification.objects.about(case).get(kind=NotificationKind.RETURNED)
    assert note.recipient == clerk and "属于物业管理范围" in note.message
    # The department still sees the case it once had; it can no longer act on it.
    with pytest.raises(ActionForbidden):
        actions.resolve_case(case=case, actor=cg, result="x")


# ---------------------------------------------------------------------------------------------
# Clock: suspension and extensions
# ---------------------------------------------------------------------------------------------


def test_suspend_and_resume_move_the_deadlines_ahead_by_the_paused_time(world, clock):
    cg = world.users["chengguan"]
    case = joint_case(world, CaseStatus.IN_PROGRESS)
    dues = (case.accept_due_at, case.dispatch_due_at, case.resolve_due_at)
    with pytest.raises(InvalidInput):
        actions.suspend_case(case=case, actor=cg, reason="")
    clock.advance(hours=1)
    case = actions.suspend_case(case=case, actor=cg, reason="等待业主提供产权证明")
    assert (case.status, case.suspended_from) == (CaseStatus.SUSPENDED, CaseStatus.IN_PROGRESS)
    assert (case.light, case.next_check_at) == (Light.NONE, None)  # the sweep leaves it alone
    clock.advance(days=2, hours=3)
    case = actions.resume_case(case=case, actor=cg, note="证明已提供")
    paused = dt.timedelta(days=2, hours=3)
    assert case.status == CaseStatus.IN_PROGRESS
    assert (case.dispatch_due_at, case.resolve_due_at) == tuple(d + paused for d in dues[1:])
    assert case.accept_due_at == dues[0]  # the acceptance was met or missed against it: 按时响应 stays
    assert case.paused_seconds == paused.total_seconds()
    assert case.suspended_at is None and case.next_check_at is not None
    event = last_event(case)
    assert event.type == EventType.RESUMED
    assert event.data == {"paused_seconds": int(paused.total_seconds())}
    assert [e.type for e in case.events.order_by("pk")][-2:] == [EventType.SUSPENDED, EventType.RESUMED]


def test_the_extension_notice_says_the_deadline_now_and_the_one_granting_sets(world, settings):
    """The dispatcher told of a request read only "asks for 3 more working days" and had to count
    holidays by hand: the notice says 办结时限 now and, if granted, the new one (the deadline the
    decision sets, on the working-day calendar), in the office's language."""
    clerk, cg = world.users["clerk"], world.users["chengguan"]
    cases = [joint_case(world, CaseStatus.IN_PROGRESS) for _ in range(3)]
    # Due 2025-09-30 17:00: 3 working days later is Saturday 10-11 (国庆 1–8 October, the 11th worked).
    dues = [dt.datetime(2025, 9, 30, 17, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))] * 2
    dues.append(dt.datetime(2099, 9, 30, 17, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))  # no calendar yet
    for case, due in zip(cases, dues):
        Case.objects.filter(pk=case.pk).update(resolve_due_at=due)
        case.refresh_from_db()

    def notice(case):
        actions.request_extension(case=case, actor=cg, working_days=3, reason="需要采购配件")
        return Notification.objects.get(kind=NotificationKind.EXTENSION, recipient=clerk, subject_id=case.pk).message

    assert notice(cases[0]) == (f"事件 {cases[0].number} 申请延期3个工作日：办结时限 2025-09-30 17:00，"
                                "如获批准延至 2025-10-11 23:59。")
    settings.LANGUAGE_CODE = "en"
    assert notice(cases[1]) == (f"Case {cases[1].number} asks for 3 more working days: resolve by 2025-09-30 17:00 "
                                "now, by 2025-10-11 23:59 if granted.")
    settings.LANGUAGE_CODE = "zh-hans"
    assert notice(cases[2]).endswith("办结时限 2099-09-30 17:00，如获批准延至 2099-10-05 23:59（暂定：该年工作日历尚未载入）。")
    actions.decide_extension(request=ExtensionRequest.objects.get(case=cases[0]), actor=clerk, approve=True)
    cases[0].refresh_from_db()
    assert timezone.localtime(cases[0].resolve_due_at).strftime("%Y-%m-%d %H:%M") == "2025-10-11 23:59"


def test_the_decision_notice_says_the_deadline_the_requester_now_works_to(world, settings):
    """The department officer told only "Extension approved for …" / "denied" had to open the case
    to learn by when to resolve it: approved, the notice gives the new 办结时限 (the one approval
    set, provisional when that year's calendar is not loaded); denied, that the deadline stays,
    which it is, and the reason given — in the office's language, in Asia/Shanghai time."""
    clerk, cg = world.users["clerk"], world.users["chengguan"]
    shanghai = dt.timezone(dt.timedelta(hours=8))
    dues = [dt.datetime(2025, 9, 30, 17, 0, tzinfo=shanghai), dt.datetime(2099, 9, 30, 17, 0, tzinfo=shanghai),
            dt.datetime(2025, 9, 30, 17, 0, tzinfo=shanghai), dt.datetime(2025, 9, 30, 17, 0, tzinfo=shanghai),
            dt.datetime(2099, 9, 30, 17, 0, tzinfo=shanghai)]
    cases = [joint_case(world, CaseStatus.IN_PROGRESS) for _ in dues]
    for case, due in zip(cases, dues):
        Case.objects.filter(pk=case.pk).update(resolve_due_at=due, deadline_provisional=due.year == 2099)
        actions.request_extension(case=case, actor=cg, working_days=3, reason="需要采购配件")

    def decided(case, approve, note=""):
        with timezone.override(dt.timezone.utc):  # whoever decides reads pages in another zone
            actions.decide_extension(request=ExtensionRequest.objects.get(case=case), actor=clerk, approve=approve,
                                     note=note)
        return Notification.objects.get(kind=NotificationKind.EXTENSION, recipient=cg, subject_id=case.pk).message

    # Due 2025-09-30 17:00: 3 working days later is Saturday 10-11 (国庆 1–8 October, the 11th worked).
    assert decided(cases[0], True) == f"事件 {cases[0].number} 的延期申请已批准，延期后办结时限 2025-10-11 23:59。"
    assert decided(cases[1], True) == (f"事件 {cases[1].number} 的延期申请已批准，延期后办结时限 2099-10-05 23:59"
                                       "（暂定：该年工作日历尚未载入）。")
    assert decided(cases[2], False, "配件可在本地采购") == (
        f"事件 {cases[2].number} 的延期申请未获批准，维持原时限：办结时限 2025-09-30 17:00。理由：配件可在本地采购")
    assert decided(cases[4], False) == (f"事件 {cases[4].number} 的延期申请未获批准（未说明理由），维持原时限："
                                        "办结时限 2099-09-30 17:00（暂定：该年工作日历尚未载入）。")
    settings.LANGUAGE_CODE = "en"
    assert decided(cases[3], False, "parts are sold locally") == (
        f"Extension denied for {cases[3].number}: the deadline stays, resolve by 2025-09-30 17:00. "
        "Reason: parts are sold locally")


def test_extension_request_approve_and_deny(world):
    clerk, cg, hw = world.users["clerk"], world.users["chengguan"], world.users["huanwei"]
    case = joint_case(world, CaseStatus.IN_PROGRESS)
    before = written_state(case)
    for days in (0, 31, "3"):
        with pytest.raises(InvalidInput):
            actions.request_extension(case=case, actor=cg, working_days=days, reason="需要采购配件")
    with pytest.raises(ActionForbidden):
        actions.request_extension(case=case, actor=hw, working_days=3, reason="需要采购配件")
    assert written_state(case) == before

    request = actions.request_extension(case=case, actor=cg, working_days=3, reason="需要采购配件")
    assert request.status == ExtensionStatus.PENDING
    assert last_event(case).type == EventType.EXTENSION_REQUESTED
    assert Notification.objects.filter(kind=NotificationKind.EXTENSION, recipient=clerk).exists()
    with pytest.raises(InvalidTransition):
        actions.request_extension(case=case, actor=cg, working_days=2, reason="再延")
    with pytest.raises(ActionForbidden):
        actions.decide_extension(request=request, actor=cg, approve=True)

    old_due = case.resolve_due_at
    actions.decide_extension(request=request, actor=clerk, approve=True, note="同意")
    case.refresh_from_db()
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (ExtensionStatus.APPROVED, clerk)
    from wangge.cases import sla
    from wangge.workdays.calendar import load_calendar

    assert case.resolve_due_at == sla.add_duration(old_due, 3, "working_days", load_calendar()).at
    assert case.resolve_due_at > old_due
    event = last_event(case)
    assert event.type == EventType.EXTENSION_APPROVED
    assert event.data["working_days"] == 3 and event.data["resolve_due_at"][0] == old_due.isoformat()
    assert Notification.objects.filter(kind=NotificationKind.EXTENSION, recipient=cg).exists()
    with pytest.raises(InvalidTransition):
        actions.decide_extension(request=request, actor=clerk, approve=False)

    second = actions.request_extension(case=case, actor=cg, working_days=5, reason="还需协调")
    due = case.resolve_due_at
    actions.decide_extension(request=second, actor=clerk, approve=False, note="不同意")
    case.refresh_from_db()
    assert case.resolve_due_at == due
    assert last_event(case).type == EventType.EXTENSION_DENIED


# ---------------------------------------------------------------------------------------------
# Resolve, revisit, rate, close, reopen
# ---------------------------------------------------------------------------------------------


def test_resolve_with_photos(world):
    cg = world.users["chengguan"]
    case = joint_case(world, CaseStatus.IN_PROGRESS)
    actions.report_in(case=case, actor=world.users["huanwei"])
    before = written_state(case)
    with pytest.raises(InvalidInput):
        actions.resolve_case(case=case, actor=cg, result="")
    with pytest.raises(InvalidInput) as info:
        actions.resolve_case(case=case, actor=cg, result="已处理",
                             attachments=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 test", content_type="application/pdf")])
    assert info.value.fields == {"attachments": "bad_type"}
    assert written_state(case) == before

    case = actions.resolve_case(case=case, actor=cg, result="已清理，恢复通行", attachments=[png("after.png")])
    assert case.status == CaseStatus.RESOLVED and case.resolved_on_time is True
    event = last_event(case)
    assert event.data == {"on_time": True}
    attachment = event.attachments.get()
    assert attachment.content_type == "image/png" and attachment.case == case


def test_revisit_records_the_three_checks(world):
    case = joint_case(world, CaseStatus.RESOLVED)
    case = actions.revisit_case(case=case, actor=world.users["clerk"], lawful=True, in_place=False, accepted=True,
                                note="现场仍有少量垃圾")
    assert (case.revisit_lawful, case.revisit_in_place, case.revisit_accepted) == (True, False, True)
    event = last_event(case)
    assert event.type == EventType.REVISITED
    assert event.data == {"lawful": True, "in_place": False, "accepted": True}


@pytest.mark.parametrize("satisfaction", [Satisfaction.SATISFIED, Satisfaction.BASICALLY])
def test_rating_that_keeps_the_case_resolved(world, satisfaction):
    clerk = world.users["clerk"]
    case = joint_case(world, CaseStatus.RESOLVED)
    case = actions.rate_case(case=case, actor=clerk, satisfaction=satisfaction, comment="处理及时")
    assert (case.status, case.satisfaction) == (CaseStatus.RESOLVED, satisfaction)
    event = last_event(case)
    assert (event.type, event.data, event.note) == (EventType.RATED, {"satisfaction": ["", satisfaction]}, "处理及时")
    before = written_state(case)
    with pytest.raises(InvalidTransition):
        actions.rate_case(case=case, actor=clerk, satisfaction=Satisfaction.UNSATISFIED)
    assert written_state(case) == before
    actions.revisit_case(case=case, actor=clerk, lawful=True, in_place=True, accepted=True)
    case = actions.close_case(case=case, actor=clerk)
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert last_event(case).data == {"revisit": "done", "rating": satisfaction}


def test_unsatisfied_rating_reopens_to_the_last_lead(world):
    clerk, cg = world.users["clerk"], world.users["chengguan"]
    case = joint_case(world, CaseStatus.RESOLVED)
    with pytest.raises(InvalidInput):
        actions.rate_case(case=case, actor=clerk, satisfaction="very")
    case = actions.rate_case(case=case, actor=clerk, satisfaction=Satisfaction.UNSATISFIED, comment="摊贩又回来了")
    assert case.status == CaseStatus.DISPATCHED
    assert case.reopen_count == 1 and case.resolved_at is None
    lead = case.lead_assignment()
    assert lead.department == world.departments["chengguan"]
    assert Case.objects.get(pk=case.pk).lead_department == world.departments["chengguan"]
    types = [e.type for e in case.events.order_by("pk")][-2:]
    assert types == [EventType.RATED, EventType.REOPENED]
    reopened = last_event(case)
    assert (reopened.from_status, reopened.to_status) == ("resolved", "dispatched")
    assert "摊贩又回来了" in reopened.note
    assert Notification.objects.about(case).filter(recipient=cg, kind=NotificationKind.REOPENED).exists()
    assert case.next_check_at is not None and case.light != Light.NONE

    # Handled again and rated again.
    case = actions.claim_case(case=case, actor=cg)
    case = actions.resolve_case(case=case, actor=cg, result="已彻底取缔")
    case = actions.rate_case(case=case, actor=clerk, satisfaction=Satisfaction.SATISFIED)
    assert case.satisfaction == Satisfaction.SATISFIED


def test_resident_rates_through_the_tracking_page(world):
    case = joint_case(world, CaseStatus.RESOLVED)
    case = actions.rate_case_as_resident(case=case, satisfaction=Satisfaction.UNSATISFIED, comment="没解决")
    assert case.status == CaseStatus.DISPATCHED
    kinds = list(case.events.order_by("-pk").values_list("type", "actor_kind", "actor")[:2])
    assert kinds == [(EventType.REOPENED, ActorKind.RESIDENT, None), (EventType.RATED, ActorKind.RESIDENT, None)]


def test_reopen_a_closed_case(world):
    clerk = world.users["clerk"]
    case = joint_case(world, CaseStatus.CLOSED)
    before = written_state(case)
    with pytest.raises(InvalidInput):
        actions.reopen_case(case=case, actor=clerk, reason="")
    with pytest.raises(ActionForbidden):
        actions.reopen_case(case=case, actor=world.users["chengguan"], reason="x")
    assert written_state(case) == before
    case = actions.reopen_case(case=case, actor=clerk, reason="居民再次来电")
    assert (case.status, case.closed_at, case.reopen_count) == (CaseStatus.DISPATCHED, None, 1)


# ---------------------------------------------------------------------------------------------
# Merge, urge, escalate
# ---------------------------------------------------------------------------------------------


def test_merge_records_on_both_timelines(world):
    clerk = world.users["clerk"]
    duplicate = joint_case(world, CaseStatus.DISPATCHED)
    keeper = joint_case(world, CaseStatus.ACCEPTED)
    with pytest.raises(InvalidInput):
        actions.merge_case(case=keeper, into=keeper, actor=clerk)
    duplicate = actions.merge_case(case=duplicate, into=keeper, actor=clerk, note="同一地点同一问题")
    assert (duplicate.status, duplicate.merged_into) == (CaseStatus.MERGED, keeper)
    assert not duplicate.assignments.filter(active=True).exists()
    merged = last_event(duplicate)
    assert (merged.type, merged.data["into"], merged.from_status) == (EventType.MERGED, keeper.number, "dispatched")
    absorbed = last_event(keeper)
    assert (absorbed.type, absorbed.data, absorbed.note) == (
        EventType.DUPLICATE_MERGED, {"duplicate": duplicate.number}, "同一地点同一问题")
    assert Case.objects.get(pk=keeper.pk).status == CaseStatus.ACCEPTED


def test_merge_refuses_a_finished_or_invisible_target(world):
    secretary = world.users["secretary_a"]
    case = joint_case(world, CaseStatus.ACCEPTED)
    closed = joint_case(world, CaseStatus.CLOSED)
    elsewhere = joint_case(world, CaseStatus.ACCEPTED, grid=world.grids[2])  # community B
    before = [written_state(c) for c in (case, closed, elsewhere)]
    with pytest.raises(InvalidTransition):
        actions.merge_case(case=case, into=closed, actor=secretary)
    with pytest.raises(CaseNotFound):
        actions.merge_case(case=case, into=elsewhere, actor=secretary)
    assert [written_state(c) for c in (case, closed, elsewhere)] == before


def test_urge_notifies_the_handler(world):
    case = joint_case(world, CaseStatus.DISPATCHED)
    with pytest.raises(ActionForbidden):
        actions.urge_case(case=case, actor=world.users["worker_a1"])
    case = actions.urge_case(case=case, actor=world.users["leader"], note="请今天内处理")
    assert case.urge_count == 1
    assert last_event(case).type == EventType.URGED
    assert Notification.objects.filter(recipient=world.users["chengguan"], kind=NotificationKind.URGED,
                                       message__contains="请今天内处理").exists()


def test_what_someone_working_in_english_stores_reads_in_the_office_language(world):
    """A leader or clerk reading the pages in English still writes the department's notifications
    and the case's timeline in Chinese, as everyone else reads them."""
    case = joint_case(world, CaseStatus.DISPATCHED)
    with translation.override("en"):
        actions.urge_case(case=case, actor=world.users["leader"], note="请今天内处理")
    urged = Notification.objects.get(recipient=world.users["chengguan"], kind=NotificationKind.URGED)
    due = timezone.localtime(case.resolve_due_at).strftime("%Y-%m-%d %H:%M")
    assert urged.message == f"事件 {case.number} 被催办，办结时限 {due}：请今天内处理"

    resolved = joint_case(world, CaseStatus.RESOLVED)
    with translation.override("en"):
        actions.revisit_case(case=resolved, actor=world.users["clerk"], lawful=True, in_place=True, accepted=False,
                             follow_up="reopen")
    reopened = last_event(resolved)
    assert (reopened.type, reopened.note) == (EventType.REOPENED, "回访时居民不认可办理结果。")
    told = Notification.objects.filter(kind=NotificationKind.REOPENED).values_list("message", flat=True)
    assert list(told) and all(m.startswith(f"事件 {resolved.number} 已重办：回访时") for m in told)


def test_dispatch_urge_and_escalation_notices_name_the_case_and_its_deadline(world, settings):
    """A department officer told "New case …", "… is being urged" or "escalated to your level" had
    to open the case to learn by when: each notice names the case and the deadline it runs to now
    (what for, to the minute, in Asia/Shanghai time whatever zone is active)."""
    cg, hw = world.users["chengguan"], world.users["huanwei"]
    shanghai = ZoneInfo("Asia/Shanghai")

    def told(case, kind, user=None):
        notices = Notification.objects.about(case).filter(kind=kind)
        return (notices.filter(recipient=user) if user else notices).latest("pk").message

    with timezone.override(dt.timezone.utc):
        case = joint_case(world, CaseStatus.DISPATCHED)
        resolve = f"{case.resolve_due_at.astimezone(shanghai):%Y-%m-%d %H:%M}"
        assert told(case, NotificationKind.ASSIGNED, cg) == f"新派事件 {case.number}，办结时限 {resolve}：{case.title}"
        assert told(case, NotificationKind.ASSIGNED, hw) == f"吹哨报到 {case.number}：请及时报到，办结时限 {resolve}。"
        actions.urge_case(case=case, actor=world.users["leader"], note="请今天内处理")
        assert told(case, NotificationKind.URGED, cg) == f"事件 {case.number} 被催办，办结时限 {resolve}：请今天内处理"
        case = actions.escalate_case(case=case, actor=world.users["district_leader"], reason="涉及多个部门，区里协调不了")
        dispatch = f"{case.dispatch_due_at.astimezone(shanghai):%Y-%m-%d %H:%M}"
        assert told(case, NotificationKind.ESCALATED) == (
            f"事件 {case.number} 已上报至本级，派单时限 {dispatch}：涉及多个部门，区里协调不了")
        Case.objects.filter(pk=case.pk).update(deadline_provisional=True)
        case.refresh_from_db()
        settings.LANGUAGE_CODE = "en"
        case = actions.dispatch_case(case=case, actor=world.users["admin"],
                                     lead=Target(department=world.departments["chengguan"]))
        resolve = f"{case.resolve_due_at.astimezone(shanghai):%Y-%m-%d %H:%M}"
        assert told(case, NotificationKind.ASSIGNED, cg) == (
            f"New case {case.number}, resolve by {resolve} (provisional: that year's working-day calendar is not "
            f"loaded): {case.title}")


def test_escalate_raises_level_and_star_and_tells_the_new_level(world):
    """一键上报 from the sub-district: the district takes it over as a 2★ case."""
    clerk = world.users["clerk"]
    case = joint_case(world, CaseStatus.ACCEPTED)
    assert (case.current_level, case.star) == (CaseLevel.SUBDISTRICT, 1)
    before = written_state(case)
    with pytest.raises(InvalidInput):
        actions.escalate_case(case=case, actor=clerk, reason="")
    with pytest.raises(CaseNotFound):
        actions.escalate_case(case=case, actor=world.users["secretary_b"], reason="不是我们社区的")
    assert written_state(case) == before
    case = actions.escalate_case(case=case, actor=clerk, reason="涉及多个部门，街道协调不了")
    assert (case.status, case.current_level, case.star) == (CaseStatus.ACCEPTED, CaseLevel.DISTRICT, 2)
    assert case.escalation_count == 1
    event = last_event(case)
    assert (event.type, event.actor, event.note) == (EventType.ESCALATED, clerk, "涉及多个部门，街道协调不了")
    assert event.data["level"] == ["subdistrict", "district"] and event.data["star"] == [1, 2]
    assert event.data["automatic"] is False
    told = Notification.objects.about(case).get(kind=NotificationKind.ESCALATED)
    assert told.recipient == world.users["district_leader"]
    # The district now dispatches it.
    case = actions.dispatch_case(case=case, actor=world.users["district_leader"],
                                 lead=Target(department=world.departments["chengguan"]))
    assert case.status == CaseStatus.DISPATCHED


def test_escalation_path_from_the_grid_to_the_city(world):
    worker, clerk = world.users["worker_a1"], world.users["clerk"]
    case = actions.claim_case(case=joint_case(world, CaseStatus.ACCEPTED), actor=worker)
    assert (case.current_level, case.star) == (CaseLevel.GRID, 1)
    expected = [
        (CaseLevel.COMMUNITY, 1, worker, "secretary_a"),
        (CaseLevel.SUBDISTRICT, 1, world.users["secretary_a"], "clerk"),
        (CaseLevel.DISTRICT, 2, clerk, "district_leader"),
        (CaseLevel.CITY, 3, world.users["district_leader"], "admin_user"),
    ]
    for level, star, actor, told in expected:
        case = actions.escalate_case(case=case, actor=actor, reason="本级解决不了")
        assert (case.current_level, case.star) == (level, star)
        event = last_event(case)
        assert event.data["level"][1] == level and event.data["star"][1] == star
        recipients = set(Notification.objects.about(case).filter(kind=NotificationKind.ESCALATED,
                                                     message__contains=case.number)
                         .values_list("recipient__username", flat=True))
        assert told in recipients, (level, recipients)
        Notification.objects.filter(kind=NotificationKind.ESCALATED).delete()
    before = written_state(case)
    with pytest.raises(InvalidTransition):
        actions.escalate_case(case=case, actor=world.users["admin"], reason="再上报")
    assert written_state(case) == before


def test_pending_extension_lapses_when_the_case_leaves_its_handler(world):
    cg = world.users["chengguan"]
    case = joint_case(world, CaseStatus.IN_PROGRESS)
    request = actions.request_extension(case=case, actor=cg, working_days=3, reason="需要采购配件")
    actions.return_case(case=case, actor=cg, reason="不属于城管职责")
    request.refresh_from_db()
    assert request.status == ExtensionStatus.WITHDRAWN and request.decided_at is not None
    case = actions.dispatch_case(case=case, actor=world.users["clerk"],
                                 lead=Target(department=world.departments["huanwei"]))
    again = actions.request_extension(case=case, actor=world.users["huanwei"], working_days=2, reason="等车辆")
    assert again.status == ExtensionStatus.PENDING


def test_report_in_without_a_summons_is_refused(world):
    case = joint_case(world, CaseStatus.DISPATCHED)
    root = make_user(username="root", is_superuser=True)
    before = written_state(case)
    with pytest.raises(ActionForbidden):
        actions.report_in(case=case, actor=root)
    assert written_state(case) == before
