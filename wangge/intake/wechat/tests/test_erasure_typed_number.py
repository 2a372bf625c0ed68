"""A resident types their own number into a WeChat report (井盖缺失，电话138 1234 1234). When they
are erased, the number goes from the case filed from it and from the replies the account kept
(a reply may repeat what they wrote); the record that the messages came and went stays."""

from __future__ import annotations

import pytest
from django.utils import timezone

from wangge.cases import actions
from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case
from wangge.intake.wechat.models import WechatMessage
from wangge.residents.masking import ERASED_MARK
from wangge.residents.services import anonymise_resident, link_phone
from wangge.testing import case_in_state

from . import wx
from .test_callback import gcj_point_in

pytestmark = pytest.mark.django_db

PHONE = "13812341234"


def test_the_number_a_resident_typed_in_wechat_goes_with_them(client, account, world):
    assert "位置" in wx.say(client, account, wx.text("小区门口井盖缺失，很危险，电话138 1234 1234", openid=wx.OPENID),
                             encrypted=True)
    wx.say(client, account, wx.location(*gcj_point_in(world, world.grids[0]), openid=wx.OPENID), encrypted=True)
    case = Case.objects.get()
    assert "138 1234 1234" in case.description
    resident = case.reporter
    link_phone(resident=resident, phone=PHONE, verified=True)
    WechatMessage.objects.create(account=account, key="k-1", openid=wx.OPENID, msg_type="text",
                                 received_at=timezone.now(), case=case,
                                 reply="您反映的“井盖缺失，电话138-1234-1234”已受理；邻居 13900001111 也已反映")
    actions.reject_case(case=case, actor=world.users["clerk"], reason="已由物业处理")  # nothing left open
    other = case_in_state(world, CaseStatus.CLOSED, reporter_phone="13900001111", description="电话13812341234")

    anonymise_resident(resident=resident, reason="居民申请删除")

    case.refresh_from_db()
    assert "1234" not in case.description and ERASED_MARK in case.description
    reply = WechatMessage.objects.get(key="k-1").reply
    assert reply == f"您反映的“井盖缺失，电话{ERASED_MARK}”已受理；邻居 13900001111 也已反映"
    assert WechatMessage.objects.filter(case=case).count() >= 1
    # Another resident's case keeps its reporter; the erased number goes from its text too (号码提及).
    other = Case.objects.get(pk=other.pk)
    assert other.description == f"电话{ERASED_MARK}" and other.reporter_phone == "13900001111"
