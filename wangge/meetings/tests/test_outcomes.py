"""Holding a meeting: each decision moves the case through the core's actions, exactly once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wangge.cases.choices import AssignmentRole, CaseLevel, CaseStatus, EventType
from wangge.cases.models import Case
from wangge.core.errors import Forbidden, InvalidInput, InvalidState, NotFound
from wangge.meetings import actions
from wangge.meetings.choices import Decision, MeetingKind, MeetingLevel, MeetingStatus
from wangge.meetings.models import AgendaItem, MeetingEvent
from wangge.notifications.models import Notification, OutboundMessage

from .conftest import open_meeting, when

pytestmark = pytest.mark.django_db


def test_unsolvable_two_star_at_a_bimonthly_meeting_becomes_three_star_at_district_level(world, bimonthly, ledger_case):
    secretary = world.users["secretary_a"]
    assert ledger_case.star == 2 and ledger_case.current_level == CaseLevel.SUBDISTRICT
    open_meeting(bimonthly, secretary, ledger_case)
    item = bimonthly.items.get()

    actions.decide_item(item=item, actor=secretary, decision=Decision.UNSOLVABLE, outcome="涉及市级规划，会上无法解决")

    case = Case.objects.get(pk=ledger_case.pk)
    assert case.star == 3
    assert case.current_level == CaseLevel.DISTRICT
    assert case.events.filter(type=EventType.ESCALATED).count() == 1
    item.refresh_from_db()
    assert item.escalated and item.decision == Decision.UNSOLVABLE
    assert case.events.filter(type=actions.TIMELINE_DECISION).count() == 1


def test_department_consultation_plan_sets_the_lead_department_through_the_core(world, ledger_case):
    leader = world.users["leader"]
    meeting = actions.create_meeting(actor=leader, kind=MeetingKind.DEPARTMENT, level=MeetingLevel.SUBDISTRICT,
                                     region=world.subdistrict, scheduled_at=when(), place="街道三楼会商室")
    open_meeting(meeting, leader, ledger_case)
    deadline = timezone.localdate() + dt.timedelta(days=10)

    actions.decide_item(item=meeting.items.get(), actor=leader, decision=Decision.PLAN, outcome="由环卫中心牵头清运，城管配合",
                        lead_department=world.departments["huanwei"], co_departments=[world.departments["chengguan"]],
                        deadline=deadline)

    case = Case.objects.get(pk=ledger_case.pk)
    assert case.lead_department == world.departments["huanwei"]
    assert case.status == CaseStatus.DISPATCHED
    assert case.assignments.filter(active=True, role=AssignmentRole.ASSIST,
                                   department=world.departments["chengguan"]).exists()
    assert case.events.filter(type=EventType.DISPATCHED).count() == 1
    item = meeting.items.get()
    assert item.deadline == deadline and item.lead_department == world.departments["huanwei"]
    # The agreed time becomes the case's own deadline (议定时限, through the core): the end of that day.
    assert timezone.localtime(case.resolve_due_at).date() == deadline
    assert case.events.filter(type=EventType.DEADLINE_AGREED).count() == 1
    # The resident is told the plan and the time it needs, by SMS through the outbox.
    sms = OutboundMessage.objects.get(template=actions.SMS_TEMPLATE)
    assert sms.to == "13812341234" and "环卫中心牵头" in sms.body and deadline.isoformat() in sms.body
    # The lead department is told too.
    assert Notification.objects.filter(recipient=world.users["huanwei"], kind=actions.NOTIFICATION_KIND).exists()


def test_a_plan_for_a_case_finished_meanwhile_says_so_and_records_nothing(world, bimonthly, ledger_case):
    """The case was refused (or closed) after it went on the agenda: the refusal names its state,
    not another handler who would have to pass it on."""
    from django.utils import translation

    from wangge.cases import actions as case_actions

    secretary = world.users["secretary_a"]
    open_meeting(bimonthly, secretary, ledger_case)
    item = bimonthly.items.get()
    case_actions.reject_case(case=Case.objects.get(pk=ledger_case.pk), actor=world.users["clerk"], reason="重复来电")
    with translation.override("zh-hans"), pytest.raises(InvalidState) as refused:
        actions.decide_item(item=item, actor=secretary, decision=Decision.PLAN, outcome="由环卫中心牵头清运",
                            lead_department=world.departments["huanwei"],
                            deadline=timezone.localdate() + dt.timedelta(days=10))
    assert "不予受理" in refused.value.message and "转派" not in refused.value.message
    item.refresh_from_db()
    assert item.decision == "" and Case.objects.get(pk=ledger_case.pk).status == CaseStatus.REJECTED


def test_a_plan_needs_a_lead_department_and_a_deadline(world, bimonthly, ledger_case):
    secretary = world.users["secretary_a"]
    open_meeting(bimonthly, secretary, ledger_case)
    item = bimonthly.items.get()
    with pytest.raises(InvalidInput):
        actions.decide_item(item=item, actor=secretary, decision=Decision.PLAN, outcome="方案")
    with pytest.raises(InvalidInput):
        actions.decide_item(item=item, actor=secretary, decision=Decision.PLAN, outcome="方案",
                            lead_department=world.departments["huanwei"])
    item.refresh_from_db()
    assert item.decision == "" and Case.objects.get(pk=ledger_case.pk).status == CaseStatus.ACCEPTED


def test_department_consultation_that_cannot_fix_a_lead_hands_the_case_to_the_district_leader(world, ledger_case):
    leader = world.users["leader"]
    meeting = actions.create_meeting(actor=leader, kind=MeetingKind.DEPARTMENT, level=MeetingLevel.SUBDISTRICT,
                                     region=world.subdistrict, scheduled_at=when())
    open_meeting(meeting, leader, ledger_case)
    actions.decide_item(item=meeting.items.get(), actor=leader, decision=Decision.UNSOLVABLE, outcome="各部门均认为不属本部门职责")
    case = Case.objects.get(pk=ledger_case.pk)
    assert case.current_level == CaseLevel.DISTRICT and case.status == CaseStatus.ACCEPTED
    assert case.events.filter(type=EventType.ESCALATED).count() == 1
    assert Notification.objects.filter(recipient=world.users["district_leader"], kind=actions.NOTIFICATION_KIND,
                                       message__contains=case.number).exists()


def test_solved_on_the_spot_writes_a_public_progress_note(world, bimonthly, two_star):
    from wangge.testing.factories import case_in_state

    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=two_star)
    secretary = world.users["secretary_a"]
    open_meeting(bimonthly, secretary, case)
    actions.decide_item(item=bimonthly.items.get(), actor=secretary, decision=Decision.SOLVED, outcome="物业当场同意调整作业时间")
    note = case.events.get(type=EventType.PROGRESS)
    assert note.public and "物业当场同意调整作业时间" in note.note


def test_deferral_carries_the_item_to_the_next_meeting(world, bimonthly, ledger_case):
    secretary = world.users["secretary_a"]
    following = actions.create_meeting(actor=secretary, kind=MeetingKind.BIMONTHLY, level=MeetingLevel.COMMUNITY,
                                       region=world.communities[0], scheduled_at=when(60))
    open_meeting(bimonthly, secretary, ledger_case)
    item = bimonthly.items.get()
    actions.decide_item(item=item, actor=secretary, decision=Decision.DEFERRED)
    carried = following.items.get()
    assert carried.carried_from == item and carried.case_id == ledger_case.pk and carried.decision == ""
    assert MeetingEvent.objects.filter(meeting=following, type="item_carried").count() == 1


def test_deferral_waits_for_a_next_meeting_that_does_not_exist_yet(world, bimonthly, ledger_case):
    secretary = world.users["secretary_a"]
    open_meeting(bimonthly, secretary, ledger_case)
    actions.decide_item(item=bimonthly.items.get(), actor=secretary, decision=Decision.DEFERRED, outcome="待物业答复")
    other_kind = actions.create_meeting(actor=secretary, kind=MeetingKind.DELIBERATION, level=MeetingLevel.COMMUNITY,
                                        region=world.communities[0], scheduled_at=when(20))
    assert not other_kind.items.exists()
    following = actions.create_meeting(actor=secretary, kind=MeetingKind.BIMONTHLY, level=MeetingLevel.COMMUNITY,
                                       region=world.communities[0], scheduled_at=when(60))
    assert following.items.get().carried_from.meeting == bimonthly


def test_a_meeting_with_an_undecided_item_cannot_be_closed(world, bimonthly, ledger_case, two_star):
    from wangge.testing.factories import file_case

    secretary = world.users["secretary_a"]
    second = file_case(world, category=two_star, title="楼道堆物")
    open_meeting(bimonthly, secretary, ledger_case, second)
    first_item, second_item = bimonthly.items.order_by("position")
    actions.decide_item(item=first_item, actor=secretary, decision=Decision.DEFERRED)
    with pytest.raises(InvalidState):
        actions.close_meeting(meeting=bimonthly, actor=secretary)
    bimonthly.refresh_from_db()
    assert bimonthly.status == MeetingStatus.AGENDA_PUBLISHED
    actions.decide_item(item=second_item, actor=secretary, decision=Decision.SOLVED, outcome="已协调清理")
    actions.close_meeting(meeting=bimonthly, actor=secretary)
    bimonthly.refresh_from_db()
    assert bimonthly.status == MeetingStatus.HELD and bimonthly.minutes.get().status == "draft"


def test_an_item_is_decided_once_and_only_while_the_meeting_is_held(world, bimonthly, ledger_case):
    secretary = world.users["secretary_a"]
    actions.add_agenda_item(meeting=bimonthly, actor=secretary, case=ledger_case)
    item = bimonthly.items.get()
    with pytest.raises(InvalidState):  # agenda not yet published
        actions.decide_item(item=item, actor=secretary, decision=Decision.SOLVED, outcome="x")
    actions.add_participant(meeting=bimonthly, actor=secretary, department=world.departments["chengguan"])
    actions.publish_agenda(meeting=bimonthly, actor=secretary)
    actions.decide_item(item=item, actor=secretary, decision=Decision.DEFERRED)
    with pytest.raises(InvalidState):
        actions.decide_item(item=item, actor=secretary, decision=Decision.SOLVED, outcome="x")


def test_someone_outside_the_community_cannot_run_its_meeting(world, bimonthly, ledger_case):
    with pytest.raises(NotFound):
        actions.add_agenda_item(meeting=bimonthly, actor=world.users["secretary_b"], case=ledger_case)
    with pytest.raises(Forbidden):
        actions.create_meeting(actor=world.users["secretary_b"], kind=MeetingKind.BIMONTHLY,
                               level=MeetingLevel.COMMUNITY, region=world.communities[0], scheduled_at=when())
    assert not AgendaItem.objects.exists()
