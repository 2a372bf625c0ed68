"""A report turned down (不予受理) is told so by SMS, with the reason staff gave and where to turn,
and the link opens a page that shows the reason at the top; an "accepted" text still waiting when
the report is rejected is never sent — end to end through the real case actions."""

from __future__ import annotations

import pytest

from wangge.cases import actions
from wangge.cases.choices import CaseStatus, EventType
from wangge.cases.events import domain_event
from wangge.notifications.choices import OutboxStatus
from wangge.notifications.gateways import FileGateway
from wangge.notifications.models import OutboundMessage
from wangge.notifications.outbox import deliver_due_messages, retry_dead_messages
from wangge.replies import receivers
from wangge.testing import case_in_state, file_case, make_category

from .test_replies import PHONE, outbox_dir, track_url  # noqa: F401 — outbox_dir: an autouse fixture

pytestmark = pytest.mark.django_db

REASON = "该问题属于商品质量纠纷，不属于本平台受理范围，请向市场监管部门反映。"


@pytest.fixture
def category(world):
    return make_category(department=world.departments["chengguan"])


def test_a_rejected_report_is_told_why_and_where_to_turn(world, category, outbox_dir, client, settings,  # noqa: F811
                                                          django_capture_on_commit_callbacks):
    settings.WANGGE_OFFICE_HOTLINE = "0796-8221234"
    case = file_case(world, category=category)
    with django_capture_on_commit_callbacks(execute=True):
        actions.reject_case(case=case, actor=world.users["clerk"], reason=REASON)
    message = OutboundMessage.objects.get()
    rejected = case.events.get(type=EventType.REJECTED)
    assert (message.channel, message.to, message.template, message.dedupe_key) == (
        "sms", PHONE, "case_rejected", f"cases.caseevent:{rejected.pk}:sms:{PHONE}")
    shown = REASON.removesuffix("。")  # the reason's own full stop is not doubled
    assert message.body == (f"【网格】您反映的问题（编号{case.number}）不予受理，原因：{shown}。"
                            f"如有疑问请致电0796-8221234。详情：{track_url(case)}")
    assert [line["template"] for line in FileGateway.read("sms", outbox_dir)] == ["case_rejected"]

    # The link opens the resident's page: the reason in full, at the top, and the hotline.
    page = client.get(track_url(case).removeprefix("https://wangge.example.gov.cn"))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-testid="rejected-reason">原因：{REASON}</p>' in html
    assert 'href="tel:0796-8221234"' in html and "如有疑问，请致电" in html


def test_a_long_reason_is_cut_and_no_hotline_is_promised_when_none_is_set(world, category, settings, client):
    settings.WANGGE_OFFICE_HOTLINE = ""
    reason = "经现场核查，" + "该处为私人产权范围，" * 6 + "请与产权单位协商。"
    case = actions.reject_case(case=file_case(world, category=category), actor=world.users["clerk"], reason=reason)
    shown = reason[:receivers.ANSWER_CHARS - 1] + "…"  # to keep the SMS short: the page has it all
    assert OutboundMessage.objects.get().body == (
        f"【网格】您反映的问题（编号{case.number}）不予受理，原因：{shown}。详情：{track_url(case)}")
    html = client.get(track_url(case).removeprefix("https://wangge.example.gov.cn")).content.decode()
    assert f"原因：{reason}" in html and 'data-testid="rejected-hotline"' not in html


def test_an_accepted_text_still_waiting_is_not_sent_after_the_rejection(world, category, outbox_dir):  # noqa: F811
    clerk = world.users["clerk"]
    case = actions.accept_case(case=file_case(world, category=category), actor=clerk)
    accepted = OutboundMessage.objects.get(template="case_accepted")  # not delivered yet (gateway down …)
    assert accepted.status == OutboxStatus.PENDING

    actions.reject_case(case=case, actor=clerk, reason="经核实不属于本辖区。")
    accepted.refresh_from_db()
    assert accepted.status == OutboxStatus.WITHDRAWN and accepted.next_attempt_at is None
    deliver_due_messages()
    assert [line["template"] for line in FileGateway.read("sms", outbox_dir)] == ["case_rejected"]
    assert retry_dead_messages() == 0  # an admin's retry of dead letters does not bring it back


def test_a_dead_accepted_text_is_withdrawn_too(world, category):
    clerk = world.users["clerk"]
    case = actions.accept_case(case=file_case(world, category=category), actor=clerk)
    OutboundMessage.objects.filter(template="case_accepted").update(status=OutboxStatus.DEAD, next_attempt_at=None)
    actions.reject_case(case=case, actor=clerk, reason="经核实不属于本辖区。")
    assert OutboundMessage.objects.get(template="case_accepted").status == OutboxStatus.WITHDRAWN
    assert retry_dead_messages() == 0


def test_one_rejection_text_per_event_and_phone(world, category):
    case = actions.reject_case(case=file_case(world, category=category), actor=world.users["clerk"], reason="重复反映")
    receivers.tell_reporter_rejected(domain_event(case.events.get(type=EventType.REJECTED)))  # a replay
    assert OutboundMessage.objects.filter(template="case_rejected").count() == 1


def test_a_rejected_report_without_a_mobile_gets_no_text(world, category):
    case = file_case(world, category=category, reporter_phone="010-62345678")
    actions.reject_case(case=case, actor=world.users["clerk"], reason="重复反映")
    assert not OutboundMessage.objects.exists()


def test_an_answer_ending_in_a_full_width_stop_reads_one_stop(world, category):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=category)
    actions.resolve_case(case=case, actor=world.users["chengguan"], result="井盖已补装．")
    body = OutboundMessage.objects.get(template="case_resolved").body
    assert "已办结：井盖已补装。请对办理结果进行评价" in body
