"""Minutes: exactly the items and decisions; draft → final (immutable); a correction is an addendum."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wangge.core.errors import Forbidden, InvalidState
from wangge.meetings import actions
from wangge.meetings.choices import (
    Decision,
    MeetingStatus,
    MinutesStatus,
    RepresentativeRole,
)
from wangge.meetings.errors import MinutesFinal
from wangge.meetings.models import Minutes
from wangge.testing.factories import file_case

from .conftest import open_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world, bimonthly, ledger_case, two_star):
    """A bimonthly meeting with two items (a plan and a deferral) and one topic not put on it, closed."""
    secretary = world.users["secretary_a"]
    other = file_case(world, category=two_star, title="楼道堆放杂物")
    actions.add_participant(meeting=bimonthly, actor=secretary, department=world.departments["huanwei"])
    actions.add_participant(meeting=bimonthly, actor=secretary, name="李四", role=RepresentativeRole.OWNERS_COMMITTEE,
                            organisation="东园小区业委会", phone="13900001111")
    open_meeting(bimonthly, secretary, ledger_case, other)
    first, second = bimonthly.items.order_by("position")
    actions.decide_item(item=first, actor=secretary, decision=Decision.PLAN, outcome="环卫中心每周清运两次",
                        lead_department=world.departments["huanwei"],
                        deadline=timezone.localdate() + dt.timedelta(days=14))
    actions.decide_item(item=second, actor=secretary, decision=Decision.DEFERRED, outcome="等待业委会意见")
    minutes = actions.close_meeting(meeting=bimonthly, actor=secretary)
    return bimonthly, minutes


def test_minutes_list_exactly_the_items_and_their_decisions(world, held):
    meeting, minutes = held
    minutes = actions.publish_minutes(minutes=minutes, actor=world.users["secretary_a"])
    assert [(r["title"], r["decision"], r["lead_department"]) for r in minutes.items] == [
        ("小区门口夜市噪音扰民", Decision.PLAN, "区环卫中心"),
        ("楼道堆放杂物", Decision.DEFERRED, ""),
    ]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MINUTES_PUBLISHED and minutes.signed_by == world.users["secretary_a"]


def test_final_minutes_are_immutable_and_an_addendum_links_to_them(world, held):
    meeting, minutes = held
    secretary = world.users["secretary_a"]
    actions.publish_minutes(minutes=minutes, actor=secretary)
    with pytest.raises(MinutesFinal):
        actions.update_minutes_summary(minutes=minutes, actor=secretary, summary="改写")
    with pytest.raises(MinutesFinal):
        actions.propose_amendment(minutes=minutes, actor=secretary, text="改")
    row = Minutes.objects.get(pk=minutes.pk)
    row.summary = "偷偷改"
    with pytest.raises(MinutesFinal):
        row.save()
    addendum = actions.add_addendum(minutes=minutes, actor=secretary, text="更正：清运频次为每周三次")
    assert addendum.amends_id == minutes.pk and addendum.status == MinutesStatus.FINAL
    assert Minutes.objects.get(pk=minutes.pk).summary == ""


def test_draft_amendments_are_decided_before_sign_off_and_only_the_convener_signs(world, held):
    meeting, minutes = held
    officer = world.users["huanwei"]  # a participant through the invited department
    amendment = actions.propose_amendment(minutes=minutes, actor=officer, text="清运时间改为早七点前")
    with pytest.raises(InvalidState):
        actions.publish_minutes(minutes=minutes, actor=world.users["secretary_a"])
    actions.decide_amendment(amendment=amendment, actor=world.users["secretary_a"], accept=True)
    with pytest.raises(Forbidden):
        actions.publish_minutes(minutes=minutes, actor=world.users["leader"])
    final = actions.publish_minutes(minutes=minutes, actor=world.users["secretary_a"])
    assert "清运时间改为早七点前" in final.summary


def test_minutes_page_and_pdf(world, held, client):
    meeting, minutes = held
    client.force_login(world.users["secretary_a"])
    page = client.get(f"/meetings/{meeting.pk}/minutes/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "环卫中心每周清运两次" in body and "李*" in body and "李四" not in body
    pdf = client.get(f"/meetings/{meeting.pk}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
