"""Residents who reported by WeChat hear there when their report is turned down (不予受理: the
reason and where to turn) or merged into another case (合并: which, and the link to follow it)."""

from __future__ import annotations

import pytest

from wangge.cases import actions
from wangge.cases.choices import EventType
from wangge.cases.events import domain_event
from wangge.intake.wechat import receivers
from wangge.notifications.choices import OutboxStatus
from wangge.notifications.models import OutboundMessage
from wangge.testing import file_case, make_category

from . import wx

pytestmark = pytest.mark.django_db

BASE = "https://wangge.example.gov.cn"


def link(case) -> str:
    return f"{BASE}/r/t/{case.tracking_token}/"


def test_a_rejected_report_hears_why_and_where_to_turn_on_wechat(reported, world, settings, client):
    settings.WANGGE_OFFICE_HOTLINE = "12345"
    case = actions.reject_case(case=reported, actor=world.users["clerk"], reason="该井盖属于燃气公司，已转告其处理。")
    notice = OutboundMessage.objects.get()
    event = case.events.get(type=EventType.REJECTED)
    assert (notice.channel, notice.to, notice.template, notice.dedupe_key) == (
        "wechat_template", wx.OPENID, "wechat_case_rejected", f"cases.caseevent:{event.pk}:wechat:{wx.OPENID}")
    assert notice.title == "您反映的问题不予受理"
    assert notice.body == (f"您反映的问题（{case.number}）不予受理，原因：该井盖属于燃气公司，已转告其处理。"
                           f"如有疑问请致电12345。详情：{link(case)}")
    assert notice.context["app_id"] == wx.APP_ID
    html = client.get(link(case).removeprefix(BASE)).content.decode()
    assert "原因：该井盖属于燃气公司，已转告其处理。" in html and 'href="tel:12345"' in html
    # A replay of the same event sends nothing more.
    receivers.tell_rejected(domain_event(event))
    assert OutboundMessage.objects.count() == 1


def test_an_accepted_notice_still_waiting_is_withdrawn_when_the_report_is_rejected(reported, world):
    clerk = world.users["clerk"]
    case = actions.accept_case(case=reported, actor=clerk, category=make_category())
    accepted = OutboundMessage.objects.get(template="wechat_case_accepted")
    assert accepted.status == OutboxStatus.PENDING  # WeChat did not take it yet
    actions.reject_case(case=case, actor=clerk, reason="重复反映")
    accepted.refresh_from_db()
    assert accepted.status == OutboxStatus.WITHDRAWN
    assert [m.template for m in OutboundMessage.objects.filter(status=OutboxStatus.PENDING)] == ["wechat_case_rejected"]


def test_a_merged_report_hears_which_case_it_joined_and_follows_it_at_its_own_link(reported, world, client):
    other = file_case(world, category=make_category(), reporter_phone="13900001111")
    case = actions.merge_case(case=reported, into=other, actor=world.users["clerk"])
    notice = OutboundMessage.objects.get()
    assert (notice.channel, notice.to, notice.template) == ("wechat_template", wx.OPENID, "wechat_case_merged")
    assert notice.body == (f"您反映的问题（{case.number}）与{other.number}为同一问题，已合并办理。"
                           f"办理进展和结果请查看：{link(case)}")
    assert f"/r/t/{other.tracking_token}/" not in notice.body  # the other case's link is its reporter's
    html = client.get(link(case).removeprefix(BASE)).content.decode()
    assert 'data-testid="merged-note"' in html  # its page follows the case it is handled in
    assert not OutboundMessage.objects.filter(channel="sms").exists()  # heard once, on WeChat


def test_a_report_filed_by_phone_still_hears_of_its_merge_by_sms(reported, world):
    by_phone = file_case(world, category=make_category(), reporter_phone="13900001111")
    actions.merge_case(case=by_phone, into=reported, actor=world.users["clerk"])
    sms = OutboundMessage.objects.get()
    assert (sms.channel, sms.to, sms.template) == ("sms", "13900001111", "duplicate_merged")
