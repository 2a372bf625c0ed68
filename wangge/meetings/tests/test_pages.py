"""Scope, the public page, the API, the case panel, schedules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wangge.meetings import actions
from wangge.meetings.choices import (
    Decision,
    MeetingKind,
    MeetingLevel,
    MeetingStatus,
    Recurrence,
)
from wangge.meetings.models import Meeting
from wangge.notifications.models import Notification

from .conftest import open_meeting, when

pytestmark = pytest.mark.django_db


def test_someone_outside_the_community_gets_404(world, bimonthly, ledger_case, client):
    actions.add_participant(meeting=bimonthly, actor=world.users["secretary_a"],
                            department=world.departments["huanwei"])
    open_meeting(bimonthly, world.users["secretary_a"], ledger_case)  # 城管 is not invited
    for user in ("secretary_b", "worker_b1", "chengguan"):
        client.force_login(world.users[user])
        assert client.get(f"/meetings/{bimonthly.pk}/").status_code == 404, user
        assert client.get(f"/meetings/{bimonthly.pk}/minutes/").status_code == 404, user
        assert client.get(f"/api/v1/meetings/{bimonthly.pk}/").status_code == 404, user
        assert client.post(f"/api/v1/meetings/{bimonthly.pk}/close/").status_code == 404, user
    for user in ("secretary_a", "worker_a1", "leader", "district_leader"):  # its staff and superiors
        client.force_login(world.users[user])
        assert client.get(f"/meetings/{bimonthly.pk}/").status_code == 200, user


def test_a_department_sees_only_the_items_it_is_involved_in(world, bimonthly, ledger_case, two_star, client):
    from wangge.testing.factories import file_case

    secretary = world.users["secretary_a"]
    other = file_case(world, category=two_star, title="楼道堆放杂物")
    open_meeting(bimonthly, secretary, ledger_case, other)
    first = bimonthly.items.get(case=ledger_case)
    actions.decide_item(item=first, actor=secretary, decision=Decision.PLAN, outcome="环卫牵头",
                        lead_department=world.departments["huanwei"], deadline=timezone.localdate() + dt.timedelta(days=3))
    client.force_login(world.users["huanwei"])
    data = client.get(f"/api/v1/meetings/{bimonthly.pk}/").json()
    assert [i["title"] for i in data["items"]] == ["小区门口夜市噪音扰民"]


def test_a_resident_sees_the_published_outcome_without_personal_data(world, bimonthly, ledger_case, client):
    secretary = world.users["secretary_a"]
    actions.add_participant(meeting=bimonthly, actor=secretary, name="王五", role="resident", phone="13700002222")
    open_meeting(bimonthly, secretary, ledger_case)
    actions.decide_item(item=bimonthly.items.get(), actor=secretary, decision=Decision.PLAN,
                        outcome="城管每晚十点后巡查夜市，联系电话13812341234", lead_department=world.departments["chengguan"],
                        deadline=timezone.localdate() + dt.timedelta(days=7))
    minutes = actions.close_meeting(meeting=bimonthly, actor=secretary)
    assert client.get(f"/meetings/public/{world.communities[0].pk}/").content.decode().count("城管每晚十点") == 0
    actions.publish_minutes(minutes=minutes, actor=secretary)

    page = client.get(f"/meetings/public/{world.communities[0].pk}/")  # no login
    body = page.content.decode()
    assert page.status_code == 200
    assert "城管每晚十点后巡查夜市" in body and "区城管执法局" in body
    for secret in ("张三", "13812341234", "王五", "13700002222", ledger_case.number, "和平路1号"):
        assert secret not in body
    assert client.get(f"/meetings/public/{world.communities[1].pk}/").content.decode().count("夜市") == 0


def test_case_page_shows_the_agenda_it_is_on(world, bimonthly, ledger_case, client):
    actions.add_agenda_item(meeting=bimonthly, actor=world.users["secretary_a"], case=ledger_case)
    client.force_login(world.users["secretary_a"])
    body = client.get(ledger_case.get_absolute_url()).content.decode()
    assert bimonthly.title in body


def test_api_builds_holds_and_publishes_a_meeting(world, ledger_case, client):
    client.force_login(world.users["secretary_a"])
    made = client.post("/api/v1/meetings/", {"kind": "bimonthly", "level": "community",
                                            "region": world.communities[0].pk,
                                            "scheduled_at": when().isoformat(), "place": "会议室"},
                       content_type="application/json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    ledger = client.get(f"/api/v1/meetings/{pk}/ledger/").json()
    assert [r["number"] for r in ledger] == [ledger_case.number]
    assert client.post(f"/api/v1/meetings/{pk}/propose-agenda/").status_code == 200
    assert client.post(f"/api/v1/meetings/{pk}/close/").json()["error"]["code"] == "invalid_state"
    # No department at the table: the API hears the action's refusal, in Chinese.
    refused = client.post(f"/api/v1/meetings/{pk}/publish-agenda/")
    assert refused.status_code == 400 and "还没有邀请任何部门" in refused.json()["error"]["message"]
    invited = client.post(f"/api/v1/meetings/{pk}/participants/", {"department": world.departments["chengguan"].pk},
                          content_type="application/json")
    assert invited.status_code == 200, invited.content
    detail = client.post(f"/api/v1/meetings/{pk}/publish-agenda/").json()
    item = detail["items"][0]["id"]
    solved = {"decision": "solved", "outcome": "当场协调"}
    bad = client.post(f"/api/v1/meetings/{pk}/items/{item}/decide/", {"decision": "plan", "outcome": "x"},
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["fields"]
    ok = client.post(f"/api/v1/meetings/{pk}/items/{item}/decide/", solved, content_type="application/json")
    assert ok.status_code == 200
    assert client.post(f"/api/v1/meetings/{pk}/close/").status_code == 200
    assert client.post(f"/api/v1/meetings/{pk}/minutes/publish/").json()["status"] == "final"
    figures = client.get("/api/v1/meetings/figures/").json()
    assert figures["meetings"] == 1 and figures["solved"] == 1 and figures["items"] == 1


def test_schedule_creates_the_next_meeting_and_reminds_the_convener(world):
    secretary = world.users["secretary_a"]
    today = timezone.localdate()
    schedule = actions.create_schedule(actor=secretary, name="东园社区双月协商会", kind=MeetingKind.BIMONTHLY,
                                       level=MeetingLevel.COMMUNITY, region=world.communities[0],
                                       recurrence=Recurrence.EVERY_TWO_MONTHS, first_date=today + dt.timedelta(days=5),
                                       day_of_month=15)
    assert actions.create_due_meetings() == 1
    assert actions.create_due_meetings() == 0  # the next one is two months on: not yet
    meeting = Meeting.objects.get(schedule=schedule)
    assert meeting.status == MeetingStatus.PLANNED and meeting.convener == secretary
    schedule.refresh_from_db()
    assert schedule.next_date.day == 15 and (schedule.next_date - (today + dt.timedelta(days=5))).days > 40
    assert Notification.objects.filter(recipient=secretary, kind=actions.NOTIFICATION_KIND).count() == 1


def test_topics_are_vetted_before_they_go_on_the_agenda(world, bimonthly):
    from wangge.core.actors import Actor
    from wangge.core.errors import InvalidState

    secretary = world.users["secretary_a"]
    topic = actions.raise_topic(actor=Actor.of_resident(), region=world.communities[0], title="增设电动车充电桩",
                                is_dispute=False)
    with pytest.raises(InvalidState):
        actions.add_agenda_item(meeting=bimonthly, actor=secretary, topic=topic)
    actions.vet_topic(topic=topic, actor=secretary, accept=True)
    item = actions.add_agenda_item(meeting=bimonthly, actor=secretary, topic=topic)
    assert item.case is None and item.title == "增设电动车充电桩"


@pytest.mark.parametrize("field, value", [("case", "9" * 25), ("case", "²"), ("topic", "9" * 25), ("topic", "x")])
def test_an_agenda_item_that_names_no_case_or_topic_is_refused_with_a_message(world, bimonthly, client, field, value):
    client.force_login(world.users["secretary_a"])
    page = client.post(f"/meetings/{bimonthly.pk}/items/add/", {field: value}, follow=True).content.decode()
    assert ("未找到该诉求" if field == "case" else "未找到该议题") in page
    assert not bimonthly.items.exists()


def test_a_decision_or_attendance_naming_no_department_or_person_is_refused(world, bimonthly, ledger_case, client):
    secretary = world.users["secretary_a"]
    meeting = open_meeting(bimonthly, secretary, ledger_case)
    item = meeting.items.get()
    client.force_login(secretary)
    for path, data in (("decide/", {f"i{item.pk}-decision": "solved", f"i{item.pk}-outcome": "当场协调",
                                     f"i{item.pk}-co_departments": "9" * 25}),
                       ("attendance/", {f"a{item.pk}-present": "9" * 25, f"a{item.pk}-departments": "²"})):
        answer = client.post(f"/meetings/{meeting.pk}/items/{item.pk}/{path}", data)
        # The meeting day again, the form as it was sent, the error at the field (never a 500).
        assert answer.status_code == 200 and 'class="field-error"' in answer.content.decode()
    item.refresh_from_db()
    assert not item.decision and not item.attendees.exists() and not item.departments_reported.exists()


def test_convener_pages_render_in_chinese(world, bimonthly, ledger_case, client):
    client.force_login(world.users["secretary_a"])
    body = client.get(f"/meetings/{bimonthly.pk}/").content.decode()
    assert "台账" in body and ledger_case.number in body and "公布议程" in body
    assert client.post(f"/meetings/{bimonthly.pk}/items/add/", {"case": ledger_case.pk}).status_code == 302
    actions.add_participant(meeting=bimonthly, actor=world.users["secretary_a"],
                            department=world.departments["chengguan"])
    assert client.post(f"/meetings/{bimonthly.pk}/publish/").status_code == 302
    day = client.get(f"/meetings/{bimonthly.pk}/day/").content.decode()
    assert "记录议定结果" in day and "散会" in day
    # A refused action is a message on the page, never a 500.
    refused = client.post(f"/meetings/{bimonthly.pk}/close/", follow=True).content.decode()
    assert "未议定" in refused
    assert "双月协商会" in client.get("/meetings/").content.decode()
    figures = client.get("/meetings/figures/").content.decode()
    assert "调解纠纷" in figures and 'data-test="dashboard-tabs"' in figures
    client.force_login(world.users["worker_b1"])
    assert client.get("/meetings/figures/").status_code == 404


def test_admin_lists_meetings_in_chinese(world, bimonthly, ledger_case, client, django_user_model):
    actions.add_agenda_item(meeting=bimonthly, actor=world.users["secretary_a"], case=ledger_case)
    admin = django_user_model.objects.create_superuser("root-meetings", password="pw")
    client.force_login(admin)
    for model in ("meeting", "meetingschedule", "topic", "minutes", "meetingevent", "amendment"):
        assert client.get(f"/admin/meetings/{model}/").status_code == 200, model
    page = client.get(f"/admin/meetings/meeting/{bimonthly.pk}/change/")
    assert page.status_code == 200 and "议程事项" in page.content.decode()
