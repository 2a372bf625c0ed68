"""What a decision does to the case, and what the convener and the residents are told about it:
never "resolved" for a case that is not; a plan that names another lead is recorded and its
handler asked to hand the case back; a topic's plan becomes a tracked case; the decision must be
chosen; the minutes and the public page read as Chinese."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wangge.cases import actions as case_actions
from wangge.cases.choices import CaseStatus, EventType
from wangge.cases.models import Case
from wangge.core.actors import Actor
from wangge.meetings import actions
from wangge.meetings.choices import Decision, MeetingKind, MeetingLevel
from wangge.notifications.models import Notification
from wangge.testing.factories import case_in_state

from .conftest import open_meeting, when
from .test_forms_and_messages import error_at, messages_on, page, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(world, client):
    client.force_login(world.users["secretary_a"])
    return world.users["secretary_a"]


def decide(client, meeting, item, **fields):
    return page(client.post(f"/meetings/{meeting.pk}/items/{item.pk}/decide/",
                            {f"i{item.pk}-{k}": v for k, v in fields.items()}, follow=True))


def test_solved_on_the_spot_for_a_case_with_another_department_is_not_called_resolved(world, bimonthly, two_star,
                                                                                        secretary, client):
    case = case_in_state(world, CaseStatus.DISPATCHED, category=two_star)  # with 城管, not the secretary
    meeting = open_meeting(bimonthly, secretary, case)
    item = meeting.items.get()
    # The secretary may not resolve it: the tick box is not offered.
    form = page(client.get(f"/meetings/{meeting.pk}/day/")).find("form", data_testid="decide-form")
    assert not [n for n in form.walk() if n.attrs.get("name") == f"i{item.pk}-resolve"]

    # Sent anyway (an old page): the outcome is recorded, the case is not resolved, and the page says so.
    root = decide(client, meeting, item, decision="solved", outcome="会上各方同意调整夜市摊位", resolve="on")
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.DISPATCHED
    assert messages_on(root) == [f"已记录“{item.title}”的议定结果：当场解决。"
                                 f"诉求{case.number}尚未办结：仍由{world.departments['chengguan']}承办，已通知其办结。"]
    assert Notification.objects.filter(recipient=world.users["chengguan"], kind=actions.NOTIFICATION_KIND,
                                       message__contains="请核实后办结").exists()

    # Residents are not told it was solved while the case is open.
    minutes = actions.close_meeting(meeting=meeting, actor=secretary)
    actions.publish_minutes(minutes=minutes, actor=secretary)
    public = client.get(f"/meetings/public/{world.communities[0].pk}/").content.decode()
    assert "当场解决" not in public and "会上已议定，正在落实" in public


def test_the_convener_who_holds_the_case_may_resolve_it_with_the_outcome(world, bimonthly, two_star, secretary,
                                                                          client):
    case = case_actions.accept_case(case=case_in_state(world, CaseStatus.SUBMITTED, category=two_star),
                                    actor=world.users["clerk"])
    case = case_actions.dispatch_case(case=case, actor=world.users["clerk"],
                                      lead=case_actions.Target(region=world.communities[0]))
    meeting = open_meeting(bimonthly, secretary, case)
    item = meeting.items.get()
    form = page(client.get(f"/meetings/{meeting.pk}/day/")).find("form", data_testid="decide-form")
    assert [n for n in form.walk() if n.attrs.get("name") == f"i{item.pk}-resolve"]
    root = decide(client, meeting, item, decision="solved", outcome="物业当场同意清理", resolve="on")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RESOLVED
    assert messages_on(root) == [f"已记录“{item.title}”的议定结果：当场解决。诉求{case.number}已以此结果办结。"]


def test_the_decision_must_be_chosen(world, bimonthly, ledger_case, secretary, client):
    meeting = open_meeting(bimonthly, secretary, ledger_case)
    item = meeting.items.get()
    p = f"i{item.pk}-"
    form = page(client.get(f"/meetings/{meeting.pk}/day/")).find("form", data_testid="decide-form")
    assert value(form, p + "decision") == ""
    first = form.find("select", name=p + "decision").find_all("option")[0]
    assert first.attrs.get("value") == ""
    root = page(client.post(f"/meetings/{meeting.pk}/items/{item.pk}/decide/", {p + "outcome": "当场协调"}))
    form = root.find("form", data_testid="decide-form")
    assert error_at(form, "decision") == "请选择议定结果。"
    assert value(form, p + "outcome") == "当场协调"
    item.refresh_from_db()
    assert item.decision == ""


def test_a_topics_agreed_plan_is_filed_as_a_case_with_the_lead_and_the_deadline(world, bimonthly, two_star,
                                                                                 secretary, client):
    topic = actions.raise_topic(actor=Actor.of_resident(), region=world.communities[0], title="老楼加装电梯意见征集",
                                description="低层与高层住户意见不一")
    actions.vet_topic(topic=topic, actor=secretary, accept=True)
    actions.add_agenda_item(meeting=bimonthly, actor=secretary, topic=topic)
    lead = world.departments["huanwei"]
    actions.add_participant(meeting=bimonthly, actor=secretary, department=lead)
    meeting = actions.publish_agenda(meeting=bimonthly, actor=secretary)
    item = meeting.items.get()
    deadline = timezone.localdate() + dt.timedelta(days=30)
    plan = {"decision": "plan", "outcome": "由牵头部门组织出资比例协商并制定施工方案", "lead_department": lead.pk,
            "deadline": deadline.isoformat()}
    # Without the category it is filed under: back at the field, nothing filed.
    root = page(client.post(f"/meetings/{meeting.pk}/items/{item.pk}/decide/",
                            {f"i{item.pk}-{k}": v for k, v in plan.items()}))
    assert error_at(root.find("form", data_testid="decide-form"), "category") == "请选择方案立案的事件分类。"
    assert not Case.objects.filter(title="老楼加装电梯意见征集").exists()

    root = decide(client, meeting, item, category=two_star.pk, **plan)
    item.refresh_from_db()
    case = Case.objects.get(pk=item.case_id)
    assert case.channel == actions.CASE_CHANNEL and case.title == "老楼加装电梯意见征集"
    assert case.status == CaseStatus.DISPATCHED and case.lead_department == lead
    assert timezone.localtime(case.resolve_due_at).date() == deadline  # its light and the sweep run on this
    assert case.events.filter(type=EventType.DEADLINE_AGREED).count() == 1
    assert messages_on(root) == [f"已记录“老楼加装电梯意见征集”的议定结果：议定方案。"
                                 f"已立案为诉求{case.number}，派给{lead}，期限{deadline.isoformat()}。"]
    # The lead department (told of the agenda as an invited participant, then of the plan) is led to the case itself.
    note = Notification.objects.filter(recipient=world.users["huanwei"], kind=actions.NOTIFICATION_KIND).latest("pk")
    assert note.url == case.get_absolute_url()


def test_a_plan_naming_another_lead_is_recorded_and_the_handler_asked_to_return_the_case(world, bimonthly, two_star,
                                                                                          secretary, client):
    case = case_in_state(world, CaseStatus.DISPATCHED, category=two_star)  # with 城管
    meeting = open_meeting(bimonthly, secretary, case)
    item = meeting.items.get()
    lead = world.departments["huanwei"]
    deadline = timezone.localdate() + dt.timedelta(days=10)
    root = decide(client, meeting, item, decision="plan", outcome="由环卫中心牵头清运", lead_department=lead.pk,
                  deadline=deadline.isoformat())
    item.refresh_from_db()
    assert item.decision == Decision.PLAN and item.lead_department == lead and item.deadline == deadline
    assert Case.objects.get(pk=case.pk).lead_department == world.departments["chengguan"]
    assert messages_on(root) == [f"已记录“{item.title}”的议定结果：议定方案。"
                                 f"诉求{case.number}仍由{world.departments['chengguan']}承办（你无权转派）："
                                 f"已通知其退单，以便改派给{lead}。"]
    assert Notification.objects.filter(recipient=world.users["chengguan"], message__contains="请退单").exists()


def test_minutes_public_page_and_headers_read_as_chinese(world, ledger_case, two_star, secretary, client):
    from wangge.testing.factories import file_case

    meeting = actions.create_meeting(actor=secretary, kind=MeetingKind.BIMONTHLY, level=MeetingLevel.COMMUNITY,
                                     region=world.communities[0], scheduled_at=when())  # no place
    second = case_actions.accept_case(case=file_case(world, category=two_star, title="楼道堆物"),
                                      actor=world.users["clerk"])
    open_meeting(meeting, secretary, ledger_case, second)
    day = client.get(f"/meetings/{meeting.pk}/day/").content.decode()
    assert "· ·" not in day and "·  ·" not in day
    first, other = meeting.items.order_by("position")
    actions.decide_item(item=first, actor=secretary, decision=Decision.SOLVED, outcome="会上各方同意调整")
    actions.decide_item(item=other, actor=secretary, decision=Decision.DEFERRED)
    minutes = actions.close_meeting(meeting=meeting, actor=secretary)
    lines = [li.all_text() for li in page(client.get(f"/meetings/{meeting.pk}/minutes/")).find_all(
        "li", data_testid="minutes-item")]
    assert "——当场解决。会上各方同意调整" in lines[0] and ". " not in lines[0]
    assert "——顺延至下次会议。" in lines[1]
    actions.publish_minutes(minutes=minutes, actor=secretary)
    public = client.get(f"/meetings/public/{world.communities[0].pk}/").content.decode()
    assert public.count("顺延") == 1


def test_a_convener_working_in_english_leaves_chinese_titles_and_notices(world, ledger_case):
    """The title made up for an untitled meeting and the participants' notices are stored in the
    office language, whatever language the convener reads the pages in."""
    from django.utils import translation

    secretary = world.users["secretary_a"]
    with translation.override("en"):
        meeting = actions.create_meeting(actor=secretary, kind=MeetingKind.BIMONTHLY, level=MeetingLevel.COMMUNITY,
                                         region=world.communities[0], scheduled_at=when(), place="东园社区会议室")
        open_meeting(meeting, secretary, ledger_case)
    with translation.override("zh-hans"):
        kind = str(MeetingKind.BIMONTHLY.label)
    assert meeting.title.endswith(f"{world.communities[0].name}{kind}") and kind != "Bimonthly consultation"
    published = Notification.objects.filter(subject_id=meeting.pk).values_list("message", flat=True)
    assert published and all(not m.startswith("Agenda published") for m in published)
