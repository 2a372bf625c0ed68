"""A 双月协商会 brings the departments the problems involve to the table (S0): the secretary is
warned, in plain words, while none is invited, on the meeting page; its agenda is not published —
residents are not invited to a meeting that could not be held — and the meeting is not held
(attendance, decisions, closing) until one is."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone, translation

from wangge.cases import actions as case_actions
from wangge.core.errors import InvalidState
from wangge.meetings import actions
from wangge.meetings.choices import MeetingEventType, MeetingKind, MeetingLevel, MeetingStatus
from wangge.meetings.models import Meeting
from wangge.notifications.models import Notification

from .conftest import when

pytestmark = pytest.mark.django_db


def test_the_secretary_is_warned_while_no_department_is_invited(world, bimonthly, ledger_case, client):
    secretary = world.users["secretary_a"]
    actions.add_agenda_item(meeting=bimonthly, actor=secretary, case=ledger_case)
    client.force_login(secretary)
    page = client.get(f"/meetings/{bimonthly.pk}/").content.decode()
    warning = page.split('data-testid="no-department"', 1)[1].split("</p>", 1)[0]
    assert "还没有邀请任何部门" in warning and "双月协商会" in warning

    actions.add_participant(meeting=bimonthly, actor=secretary, department=world.departments["chengguan"])
    assert 'data-testid="no-department"' not in client.get(f"/meetings/{bimonthly.pk}/").content.decode()


def test_publishing_the_agenda_is_refused_at_the_form_while_no_department_is_invited(
        world, bimonthly, ledger_case, client):
    """Residents are not invited to a 双月协商会 that would then be refused at the door: the
    publish button answers with the reason at the form, the meeting stays planned, nobody is told."""
    secretary = world.users["secretary_a"]
    actions.add_agenda_item(meeting=bimonthly, actor=secretary, case=ledger_case)
    client.force_login(secretary)
    response = client.post(f"/meetings/{bimonthly.pk}/publish/")
    assert response.status_code == 200  # the agenda page again, the refusal at the publish button
    page = response.content.decode()
    error = page.split('data-testid="publish-error"', 1)[1].split("</div>", 1)[0]
    assert "还没有邀请任何部门" in error and "不能公布议程" in error and "双月协商会" in error
    assert 'data-testid="publish-agenda"' in page
    bimonthly.refresh_from_db()
    assert bimonthly.status == MeetingStatus.PLANNED and bimonthly.agenda_published_at is None
    assert not bimonthly.events.filter(type=MeetingEventType.AGENDA_PUBLISHED).exists()
    assert not Notification.objects.filter(kind=actions.NOTIFICATION_KIND).exists()

    actions.add_participant(meeting=bimonthly, actor=secretary, department=world.departments["chengguan"])
    response = client.post(f"/meetings/{bimonthly.pk}/publish/")
    assert response.status_code == 302 and response["Location"].endswith(f"/meetings/{bimonthly.pk}/day/")
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert not any("部门" in m for m in said), said  # published with a department: no warning left


def test_the_refusal_opens_the_invitation_form(world, bimonthly, ledger_case, client):
    """请先邀请部门: the form to invite one is open below the refusal, not folded away; the page
    drawn without a refusal keeps it folded."""
    secretary = world.users["secretary_a"]
    actions.add_agenda_item(meeting=bimonthly, actor=secretary, case=ledger_case)
    client.force_login(secretary)
    folded = client.get(f"/meetings/{bimonthly.pk}/").content.decode()
    assert re.search(r'<details[^>]*id="invite"[^>]*>', folded) and " open" not in invitation(folded)
    refused = client.post(f"/meetings/{bimonthly.pk}/publish/").content.decode()
    assert 'data-testid="publish-error"' in refused and " open" in invitation(refused)


def test_the_refused_page_says_it_once_at_the_publish_button(world, bimonthly, ledger_case, client):
    """The secretary who pressed 公布议程 reads why it was refused once, at the button, with the
    departments the agenda involves and the invitation form open below — not the same warning again
    at the top of the page."""
    secretary = world.users["secretary_a"]
    case = case_actions.dispatch_case(case=ledger_case, actor=world.users["clerk"],
                                      lead=case_actions.Target(department=world.departments["chengguan"]))
    actions.add_agenda_item(meeting=bimonthly, actor=secretary, case=case)
    client.force_login(secretary)
    refused = client.post(f"/meetings/{bimonthly.pk}/publish/").content.decode()
    assert refused.count("还没有邀请任何部门") == 1
    assert refused.count(f"议程涉及：{world.departments['chengguan']}") == 1
    error = refused.split('data-testid="publish-error"', 1)[1].split("</div>", 1)[0]
    assert "还没有邀请任何部门" in error and "议程涉及" in error
    assert 'data-testid="no-department"' not in refused and " open" in invitation(refused)


def test_the_departments_involved_are_a_sentence_of_their_own(world, bimonthly, ledger_case):
    """…请先邀请部门。议程涉及：区城管执法局。 — and in English a space between the two sentences."""
    case = case_actions.dispatch_case(case=ledger_case, actor=world.users["clerk"],
                                      lead=case_actions.Target(department=world.departments["chengguan"]))
    actions.add_agenda_item(meeting=bimonthly, actor=world.users["secretary_a"], case=case)
    with translation.override("en"):
        assert re.search(r"Invite them first\. The agenda involves: \S", actions.departments_refusal(bimonthly))
    with translation.override("zh-hans"):
        assert "请先邀请部门。议程涉及：" in actions.departments_refusal(bimonthly)


def invitation(page: str) -> str:
    """The opening tag of the 邀请部门或代表 box."""
    return re.search(r'<details[^>]*id="invite"[^>]*>', page).group(0)


@pytest.mark.parametrize("kind, level, region", [(MeetingKind.BIMONTHLY, MeetingLevel.COMMUNITY, "community"),
                                                 (MeetingKind.DEPARTMENT, MeetingLevel.SUBDISTRICT, "subdistrict")])
def test_the_action_refuses_the_agenda_of_a_meeting_without_departments(world, ledger_case, kind, level, region):
    convener = world.users["secretary_a" if region == "community" else "leader"]
    meeting = actions.create_meeting(actor=convener, kind=kind, level=level, scheduled_at=when(),
                                     region=world.communities[0] if region == "community" else world.subdistrict)
    actions.add_agenda_item(meeting=meeting, actor=convener, case=ledger_case)
    with pytest.raises(InvalidState) as refused:
        actions.publish_agenda(meeting=meeting, actor=convener)
    assert refused.value.code == "no_department_invited"
    assert "还没有邀请任何部门" in str(refused.value) and meeting.get_kind_display() in str(refused.value)
    with translation.override("en"), pytest.raises(InvalidState) as in_english:
        actions.publish_agenda(meeting=meeting, actor=convener)
    assert "no department is invited" in str(in_english.value)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_the_api_refuses_to_publish_with_a_400_and_a_code(world, bimonthly, ledger_case, client):
    secretary = world.users["secretary_a"]
    actions.add_agenda_item(meeting=bimonthly, actor=secretary, case=ledger_case)
    client.force_login(secretary)
    refused = client.post(f"/api/v1/meetings/{bimonthly.pk}/publish-agenda/")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "no_department_invited" and "还没有邀请任何部门" in error["message"]
    bimonthly.refresh_from_db()
    assert bimonthly.status == MeetingStatus.PLANNED
    actions.add_participant(meeting=bimonthly, actor=secretary, department=world.departments["chengguan"])
    published = client.post(f"/api/v1/meetings/{bimonthly.pk}/publish-agenda/")
    assert published.status_code == 200 and published.json()["status"] == MeetingStatus.AGENDA_PUBLISHED


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
    """S0: “每兩個月將問題涉及部門召集到一起，開展‘雙月協商會’”. A meeting whose agenda went out
    without a department (before publishing was refused) is not held either: attendance,
    decisions, closing are refused in the actions, so the page, the API and the admin all hear it."""
    from wangge.meetings.choices import Decision

    secretary = world.users["secretary_a"]
    item = actions.add_agenda_item(meeting=bimonthly, actor=secretary, case=ledger_case)
    Meeting.objects.filter(pk=bimonthly.pk).update(status=MeetingStatus.AGENDA_PUBLISHED,
                                                   agenda_published_at=timezone.now())  # published earlier
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
    assert "签到、议定或散会" in day.split('data-testid="no-department"', 1)[1].split("</p>", 1)[0]
    response = client.post(f"/meetings/{bimonthly.pk}/items/{item.pk}/decide/", {
        f"i{item.pk}-decision": "deferred"}, follow=True)
    assert "还没有邀请任何部门" in response.content.decode()
    item.refresh_from_db()
    assert item.decision == ""

    actions.add_participant(meeting=bimonthly, actor=secretary, department=world.departments["chengguan"])
    actions.decide_item(item=item, actor=secretary, decision=Decision.DEFERRED)
    actions.close_meeting(meeting=bimonthly, actor=secretary)


@pytest.mark.parametrize("kind, level, region, name", [
    (MeetingKind.BIMONTHLY, MeetingLevel.COMMUNITY, "community", "bimonthly consultation"),
    (MeetingKind.DEPARTMENT, MeetingLevel.SUBDISTRICT, "subdistrict", "department consultation")])
def test_the_warning_reads_as_english_mid_sentence(world, ledger_case, client, settings, kind, level, region, name):
    """“A bimonthly consultation brings …”, not “A Bimonthly consultation”: the kind's label begins
    with a capital as a label, not inside a sentence; the Chinese keeps its 双月协商会/部门会商."""
    convener = world.users["secretary_a" if region == "community" else "leader"]
    meeting = actions.create_meeting(actor=convener, kind=kind, level=level, scheduled_at=when(),
                                     region=world.communities[0] if region == "community" else world.subdistrict)
    actions.add_agenda_item(meeting=meeting, actor=convener, case=ledger_case)
    client.force_login(convener)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    warning = page.split('data-testid="no-department"', 1)[1].split("</p>", 1)[0]
    assert f"A {name} brings the departments" in warning
    refused = client.post(f"/meetings/{meeting.pk}/publish/").content.decode()
    error = refused.split('data-testid="publish-error"', 1)[1].split("</div>", 1)[0]
    assert f"A {name} is held with the departments" in error
    with translation.override("zh-hans"):
        assert actions.departments_refusal(meeting).startswith(f"{meeting.get_kind_display()}要把问题涉及的部门")
