"""A 双月协商会 brings the departments the problems involve to the table (S0): the secretary is
warned, in plain words, while none is invited — on the meeting page and when publishing — and the
meeting is not held (attendance, decisions, closing) until one is."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from wangge.meetings import actions
from wangge.meetings.choices import MeetingKind, MeetingLevel

from .conftest import when

pytestmark = pytest.mark.django_db


def test_the_secretary_is_warned_while_no_department_is_invited(world, bimonthly, ledger_case, client):
    secretary = world.users["secretary_a"]
    actions.add_agenda_item(meeting=bimonthly, actor=secretary, case=ledger_case)
    client.force_login(secretary)
    page = client.get(f"/meetings/{bimonthly.pk}/").content.decode()
    warning = page.split('data-testid="no-department"', 1)[1].split("</p>", 1)[0]
    assert "还没有邀请任何部门" in warning and "双月协商会" in warning

    response = client.post(f"/meetings/{bimonthly.pk}/publish/")
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("还没有邀请任何部门" in m for m in said), said

    actions.add_participant(meeting=bimonthly, actor=secretary, department=world.departments["chengguan"])
    assert 'data-testid="no-department"' not in client.get(f"/meetings/{bimonthly.pk}/").content.decode()


def test_the_warning_names_the_departments_the_agenda_involves(world, bimonthly, ledger_case, client):
    from wangge.cases import actions as case_actions

    secretary = world.users["secretary_a"]
    case_actions.dispatch_case(case=ledger_case, actor=world.users["clerk"], lead=case_actions.Target(department=world.departments["chengguan"]))
    actions.add_agenda_item(meeting=bimonthly, actor=secretary, case=ledger_case)
    client.force_login(secretary)
    page = client.get(f"/meetings/{bimonthly.pk}/").content.decode()
    warning = page.split('data-testid="no-department"', 1)[1].split("</p>", 1)[0]
    assert str(world.departments["chengguan"]) in warning


def test_a_deliberation_meeting_needs_no_department(world, client):
    secretary = world.users["secretary_a"]
    meeting = actions.create_meeting(actor=secretary, kind=MeetingKind.DELIBERATION, level=MeetingLevel.COMMUNITY,
                                     region=world.communities[0], scheduled_at=when())
    client.force_login(secretary)
    assert 'data-testid="no-department"' not in client.get(f"/meetings/{meeting.pk}/").content.decode()


def test_a_bimonthly_meeting_is_not_held_without_a_department(world, bimonthly, ledger_case, client):
    """S0: “每兩個月將問題涉及部門召集到一起，開展‘雙月協商會’”. The agenda may be published before
    the invitations (with the warning above); the meeting itself — attendance, decisions,
    closing — is refused in the actions, so the page, the API and the admin all hear it."""
    from wangge.core.errors import InvalidState
    from wangge.meetings.choices import Decision

    secretary = world.users["secretary_a"]
    item = actions.add_agenda_item(meeting=bimonthly, actor=secretary, case=ledger_case)
    actions.publish_agenda(meeting=bimonthly, actor=secretary)
    for step in (lambda: actions.record_attendance(item=item, actor=secretary),
                 lambda: actions.decide_item(item=item, actor=secretary, decision=Decision.DEFERRED),
                 lambda: actions.close_meeting(meeting=bimonthly, actor=secretary)):
        with pytest.raises(InvalidState) as refused:
            step()
        assert "还没有邀请任何部门" in str(refused.value) and "双月协商会" in str(refused.value)
    item.refresh_from_db()
    assert item.decision == "" and bimonthly.minutes.count() == 0

    client.force_login(secretary)
    day = client.get(f"/meetings/{bimonthly.pk}/day/").content.decode()
    assert "不能签到、议定或散会" in day.split('data-testid="no-department"', 1)[1].split("</p>", 1)[0]
    response = client.post(f"/meetings/{bimonthly.pk}/items/{item.pk}/decide/", {
        f"i{item.pk}-decision": "deferred"}, follow=True)
    assert "还没有邀请任何部门" in response.content.decode()
    item.refresh_from_db()
    assert item.decision == ""

    actions.add_participant(meeting=bimonthly, actor=secretary, department=world.departments["chengguan"])
    actions.decide_item(item=item, actor=secretary, decision=Decision.DEFERRED)
    actions.close_meeting(meeting=bimonthly, actor=secretary)
