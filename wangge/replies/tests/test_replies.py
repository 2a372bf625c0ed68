"""Residents who gave a mobile number are told, by SMS through the outbox, when their case is
accepted and when it is resolved (with the answer and the request to rate) — end to end through
the real case actions."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from wangge.cases import actions
from wangge.cases.choices import CaseStatus, EventType
from wangge.notifications.choices import OutboxStatus
from wangge.notifications.gateways import FileGateway
from wangge.notifications.models import MessageTemplate, OutboundMessage
from wangge.notifications.tests.conftest import ensure_default_templates
from wangge.replies import receivers
from wangge.testing import case_in_state, file_case, make_category

pytestmark = pytest.mark.django_db

PHONE = "13812341234"


@pytest.fixture(autouse=True)
def outbox_dir(settings, tmp_path, db):
    settings.WANGGE_OUTBOX_GATEWAYS = {"*": "wangge.notifications.gateways.FileGateway"}
    settings.WANGGE_OUTBOX_DIR = str(tmp_path / "outbox")
    settings.WANGGE_PUBLIC_BASE_URL = "https://wangge.example.gov.cn/"
    ensure_default_templates()
    return tmp_path / "outbox"


@pytest.fixture
def category(world):
    return make_category(department=world.departments["chengguan"])


def sms(outbox_dir):
    return FileGateway.read("sms", outbox_dir)


def track_url(case):
    return f"https://wangge.example.gov.cn/r/t/{case.tracking_token}/"


def test_accepted_then_resolved(world, category, outbox_dir, django_capture_on_commit_callbacks):
    clerk, officer = world.users["clerk"], world.users["chengguan"]
    case = file_case(world, category=category)
    assert not OutboundMessage.objects.exists()  # filing itself sends nothing

    with django_capture_on_commit_callbacks(execute=True):
        case = actions.accept_case(case=case, actor=clerk)
    accepted = case.events.get(type=EventType.ACCEPTED)
    message = OutboundMessage.objects.get()
    due = timezone.localtime(case.resolve_due_at)
    due_text = (f"{due.year}年" if due.year != timezone.localdate().year else "") + f"{due.month}月{due.day}日"
    assert (message.channel, message.to, message.template, message.subject, message.dedupe_key) == (
        "sms", PHONE, "case_accepted", case, f"cases.caseevent:{accepted.pk}:sms:{PHONE}")
    expected = f"【网格】您反映的问题已受理（编号{case.number}），将于{due_text}前办结。进度查询：{track_url(case)}"
    assert message.body == expected
    # Delivered after commit by the task the outbox enqueued (run at once by the test backend).
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert [(line["to"], line["body"]) for line in sms(outbox_dir)] == [(PHONE, expected)]

    with django_capture_on_commit_callbacks(execute=True):
        case = actions.dispatch_case(case=case, actor=clerk,
                                     lead=actions.Target(department=world.departments["chengguan"]))
        case = actions.claim_case(case=case, actor=officer)
        case = actions.resolve_case(case=case, actor=officer, result="已清理摊贩，恢复通行。")
    assert OutboundMessage.objects.count() == 2  # dispatching and claiming tell the resident nothing
    resolved = OutboundMessage.objects.get(template="case_resolved")
    assert resolved.body == (f"【网格】您反映的问题（{case.number}）已办结：已清理摊贩，恢复通行。"
                             f"请对办理结果进行评价：{track_url(case)}")
    assert resolved.dedupe_key == f"cases.caseevent:{case.events.get(type=EventType.RESOLVED).pk}:sms:{PHONE}"
    assert [line["template"] for line in sms(outbox_dir)] == ["case_accepted", "case_resolved"]


def test_the_tracking_link_opens_the_residents_page(world, category, client):
    case = actions.accept_case(case=file_case(world, category=category), actor=world.users["clerk"])
    body = OutboundMessage.objects.get().body
    path = track_url(case).removeprefix("https://wangge.example.gov.cn")
    assert path in body
    assert client.get(path).status_code == 200


def test_a_long_answer_is_cut_to_keep_the_sms_short(world, category):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, category=category)
    answer = "经现场核查，" + "已协调城管、环卫、物业等多个部门联合处置，" * 6 + "问题已解决。"
    actions.resolve_case(case=case, actor=world.users["chengguan"], result=answer)
    body = OutboundMessage.objects.get(template="case_resolved").body
    shown = body.split("已办结：")[1].split("。请对办理结果")[0]
    assert shown.endswith("…") and len(shown) == receivers.ANSWER_CHARS and answer.startswith(shown[:-1])
    assert "请对办理结果进行评价" in body


@pytest.mark.parametrize("reporter", [
    {"reporter_phone": "", "reporter_name": ""},  # staff filed it without a phone
    {"reporter_phone": "", "reporter_anonymous": True},  # anonymous, no phone
    {"reporter_phone": "010-62345678"},  # a landline takes no SMS
])
def test_nobody_to_tell(world, category, reporter):
    case = case_in_state(world, CaseStatus.RESOLVED, category=category, **reporter)
    assert case.status == CaseStatus.RESOLVED
    assert not OutboundMessage.objects.exists()


def test_an_anonymous_report_with_a_phone_is_told(world, category):
    case = file_case(world, category=category, reporter_anonymous=True, reporter_phone="138 0000 1111")
    actions.accept_case(case=case, actor=world.users["clerk"])
    assert OutboundMessage.objects.get().to == "13800001111"


def test_the_message_is_written_in_the_transaction_of_the_case_change(world, category):
    case = file_case(world, category=category)
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.accept_case(case=case, actor=world.users["clerk"])
        assert OutboundMessage.objects.count() == 1
        raise RuntimeError("something later in the same transaction failed")
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and not OutboundMessage.objects.exists()


def test_one_message_per_event_and_phone(world, category):
    from wangge.cases.events import domain_event

    case = actions.accept_case(case=file_case(world, category=category), actor=world.users["clerk"])
    event = domain_event(case.events.get(type=EventType.ACCEPTED))
    receivers.tell_reporter_accepted(event)  # the same event again (a replay)
    assert OutboundMessage.objects.count() == 1


def test_an_admin_can_switch_a_text_off_or_break_it_without_stopping_the_desk(world, category):
    MessageTemplate.objects.filter(key="case_accepted").update(is_active=False)
    MessageTemplate.objects.filter(key="case_resolved").update(body="{% if %}")
    case = case_in_state(world, CaseStatus.RESOLVED, category=category)
    assert case.status == CaseStatus.RESOLVED
    (message,) = OutboundMessage.objects.all()
    assert message.template == "case_resolved" and message.status == OutboxStatus.DEAD


def test_the_admins_texts_are_used(world, category):
    MessageTemplate.objects.filter(key="case_accepted").update(body="【某街道】{{ number }}已受理")
    case = actions.accept_case(case=file_case(world, category=category), actor=world.users["clerk"])
    assert OutboundMessage.objects.get().body == f"【某街道】{case.number}已受理"
