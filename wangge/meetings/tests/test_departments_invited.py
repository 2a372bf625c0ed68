"""A 双月协商会 brings the departments the problems involve to the table (S0): the secretary is
warned, in plain words, while none is invited — on the meeting page and when publishing."""

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
