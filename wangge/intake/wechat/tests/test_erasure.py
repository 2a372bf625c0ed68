"""A resident who asks to be erased (PIPL 删除) is erased from the WeChat intake and the outbox too:
their conversation, their OpenID on the messages received, the number and OpenID the office texted
— while the case, its timeline and the record that a message went out stay."""

from __future__ import annotations

import logging

import pytest

from wangge.cases import actions
from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case
from wangge.intake.wechat.models import WechatConversation, WechatMessage
from wangge.notifications import outbox
from wangge.notifications.choices import OutboxStatus
from wangge.notifications.models import OutboundMessage
from wangge.residents.services import anonymise_resident, link_phone
from wangge.testing import close_after_revisit, make_category

from . import wx
from .test_callback import file_report

pytestmark = pytest.mark.django_db

PHONE = "13812341234"


def test_erasing_a_wechat_reporter_leaves_no_openid_or_number_behind(
        client, account, world, django_capture_on_commit_callbacks):
    file_report(client, account, world)
    case = Case.objects.get()
    resident = case.reporter
    clerk, officer = world.users["clerk"], world.users["chengguan"]
    with django_capture_on_commit_callbacks(execute=True):
        case = actions.accept_case(case=case, actor=clerk, category=make_category(
            department=world.departments["chengguan"]))
        case = actions.dispatch_case(case=case, actor=clerk,
                                     lead=actions.Target(department=world.departments["chengguan"]))
        case = actions.claim_case(case=case, actor=officer)
        case = actions.resolve_case(case=case, actor=officer, result="井盖已补装。")
    case = close_after_revisit(case, clerk)
    link_phone(resident=resident, phone=PHONE, verified=True)
    # A text still waiting to go out to their number when they ask to be erased.
    outbox.queue_message(channel="sms", to=PHONE, template="case_resolved", subject=case,
                         context={"number": case.number, "answer": "", "track_url": ""},
                         dedupe_key=f"late:{case.number}:sms:{PHONE}")
    sent_before = OutboundMessage.objects.count()
    assert OutboundMessage.objects.filter(to=wx.OPENID).exists()
    assert WechatMessage.objects.filter(openid=wx.OPENID).exists()

    anonymise_resident(resident=resident, actor=clerk, reason="居民申请删除")

    assert not WechatConversation.objects.filter(openid=wx.OPENID).exists()
    assert not WechatMessage.objects.filter(openid=wx.OPENID).exists()
    assert WechatMessage.objects.filter(case=case).exists()  # what came in, and its case, stay
    assert OutboundMessage.objects.count() == sent_before  # that messages went out stays countable
    for message in OutboundMessage.objects.all():
        assert wx.OPENID not in (message.to + message.dedupe_key)
        assert PHONE not in (message.to + message.dedupe_key)
    waiting = OutboundMessage.objects.get(dedupe_key__startswith="late:")
    assert waiting.status == OutboxStatus.WITHDRAWN  # never sent to a number the resident had erased
    assert outbox.retry_dead_messages(ids=[waiting.pk]) == 0
    assert Case.objects.filter(pk=case.pk, status=CaseStatus.CLOSED).exists()  # the case stays whole


def test_a_failed_text_is_logged_without_the_number(settings, caplog):
    from wangge.notifications.tests.gateways import FlakyGateway

    settings.WANGGE_OUTBOX_GATEWAYS = {"*": "wangge.notifications.tests.gateways.FlakyGateway"}
    FlakyGateway.failures, FlakyGateway.permanent = 1, False
    outbox.queue_message(channel="sms", to=PHONE, template="case_accepted", context={"number": "WG1"},
                         dedupe_key=f"cases.caseevent:7:sms:{PHONE}")
    with caplog.at_level(logging.WARNING, logger=outbox.log.name):
        outbox.deliver_due_messages()
    assert "provider busy" in caplog.text  # the failure is logged …
    assert PHONE not in caplog.text and "138****1234" in caplog.text  # … the number masked
