"""A case on the agenda may be resolved and closed before the meeting reaches it (the handler did
not wait). The meeting day shows it finished; deciding it "solved" does not tell anyone to
resolve it again, nor the convener that the meeting resolved it, nor the resident by text; "not
solvable here" is refused in plain words (it cannot be escalated), nothing recorded."""

from __future__ import annotations

import pytest

from wangge.cases import actions as case_actions
from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case
from wangge.meetings import actions
from wangge.meetings.choices import Decision
from wangge.notifications.models import Notification, OutboundMessage
from wangge.testing.factories import case_in_state, close_after_revisit, report_in_all

from .conftest import open_meeting
from .test_decisions_follow_up import decide, secretary  # noqa: F401 (fixture)
from .test_forms_and_messages import messages_on, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished_item(world, bimonthly, two_star, secretary):  # noqa: F811
    """An item whose case (with 城管) was resolved and closed after the agenda was published."""
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=two_star)
    meeting = open_meeting(bimonthly, secretary, case)
    report_in_all(world, case)
    case = case_actions.resolve_case(case=Case.objects.get(pk=case.pk), actor=world.users["chengguan"],
                                     result="已清理摊贩")
    close_after_revisit(case, world.users["clerk"])
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    return meeting, meeting.items.get()


def test_the_day_page_shows_the_case_is_finished(finished_item, client):
    meeting, item = finished_item
    root = page(client.get(f"/meetings/{meeting.pk}/day/"))
    assert root.find("span", data_testid="case-finished").all_text().strip() == "已结案"
    agenda = page(client.get(f"/meetings/{meeting.pk}/"))
    assert agenda.find("span", data_testid="case-finished").all_text().strip() == "已结案"


def test_solved_on_a_closed_case_asks_nobody_to_resolve_it(world, finished_item, client):
    meeting, item = finished_item
    told_before = Notification.objects.filter(kind=actions.NOTIFICATION_KIND, message__contains="请核实后办结").count()
    texts_before = OutboundMessage.objects.count()
    root = decide(client, meeting, item, decision="solved", outcome="摊贩已清理")
    case = Case.objects.get(pk=item.case_id)
    assert messages_on(root) == [f"已记录“{item.title}”的议定结果：当场解决。"
                                 f"诉求{case.number}在会前已是“已结案”状态，维持不变。"]
    item.refresh_from_db()
    assert item.decision == Decision.SOLVED
    assert case.status == CaseStatus.CLOSED
    assert Notification.objects.filter(kind=actions.NOTIFICATION_KIND,
                                       message__contains="请核实后办结").count() == told_before
    assert OutboundMessage.objects.count() == texts_before


def test_not_solvable_on_a_closed_case_is_refused_in_plain_words(world, finished_item, client):
    meeting, item = finished_item
    star = Case.objects.get(pk=item.case_id).star
    root = decide(client, meeting, item, decision="unsolvable", outcome="需区里协调")
    text = root.all_text()
    assert "该事件现为“已结案”状态，无法升级，未作记录。" in text
    assert "不能分类" not in text
    item.refresh_from_db()
    assert item.decision == Decision.NONE
    assert Case.objects.get(pk=item.case_id).star == star
