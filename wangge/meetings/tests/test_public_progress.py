"""The residents' page of outcomes says where each agreed plan stands (结果反馈): under way, done
once its case is resolved, and past its deadline when the deadline has gone by with the case
still open — a bare "to be done by" date, months later, would read as if it had been kept."""

from __future__ import annotations

import datetime as dt

import pytest

from wangge.cases import actions as case_actions
from wangge.cases.models import Case
from wangge.meetings import actions
from wangge.meetings.choices import Decision
from wangge.meetings.views import public_items

from .conftest import open_meeting
from .test_decisions_follow_up import secretary  # noqa: F401 (fixture)
from .test_forms_and_messages import page

pytestmark = pytest.mark.django_db


def progress_on(client, world) -> list[str]:
    root = page(client.get(f"/meetings/public/{world.communities[0].pk}/"))
    return [n.all_text().strip() for n in root.find_all("span", data_testid="public-progress")]


def test_a_plan_reads_under_way_then_done(world, bimonthly, ledger_case, secretary, client):  # noqa: F811
    meeting = open_meeting(bimonthly, secretary, ledger_case)
    item = meeting.items.get()
    deadline = (bimonthly.scheduled_at + dt.timedelta(days=20)).date()
    actions.decide_item(item=item, actor=secretary, decision=Decision.PLAN, outcome="城管牵头清理夜市摊位",
                        lead_department=world.departments["chengguan"], deadline=deadline)
    minutes = actions.close_meeting(meeting=meeting, actor=secretary)
    actions.publish_minutes(minutes=minutes, actor=secretary)
    client.logout()
    assert progress_on(client, world) == ["落实中"]

    officer = world.users["chengguan"]
    case = case_actions.claim_case(case=Case.objects.get(pk=item.case_id), actor=officer)
    case_actions.resolve_case(case=case, actor=officer, result="夜市摊位已清理")
    assert progress_on(client, world) == ["已完成"]


def test_a_plan_past_its_deadline_with_the_case_open_says_so():
    row = {"item": 7, "title": "楼道堆物", "case": "WG20261001-00001", "decision": Decision.PLAN,
           "decision_label": "议定方案", "outcome": "物业清理", "lead_department": "城管", "deadline": "2026-10-15"}
    on_time, late = (public_items([row], still_open={7}, today=dt.date(2026, 10, d))[0]["progress"]
                     for d in (15, 16))
    assert (on_time, late) == ("underway", "overdue")
    assert public_items([row], still_open=set(), today=dt.date(2026, 10, 16))[0]["progress"] == "done"
    deferred = {**row, "decision": Decision.DEFERRED, "lead_department": "", "deadline": None}
    assert public_items([deferred], still_open={7}, today=dt.date(2026, 10, 16))[0]["progress"] == ""
