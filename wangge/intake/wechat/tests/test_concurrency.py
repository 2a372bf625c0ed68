"""WeChat resends a message it got no answer to within 5 s — sometimes while the first delivery
is still being handled. Real parallel requests on PostgreSQL: one case, one answer for all."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from wangge.cases.models import Case
from wangge.intake.wechat.coords import wgs84_to_gcj02
from wangge.intake.wechat.models import WechatMessage
from wangge.testing import run_in_threads

from . import wx
from .test_callback import _post_raw

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent writers"),
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("same_request", [True, False])
def test_concurrent_deliveries_of_one_message_file_one_case(world, account, same_request):
    wx.say(Client(), account, wx.text("小区门口井盖缺失"), encrypted=True)
    location = wx.location(*wgs84_to_gcj02(*world.point_in(world.grids[0])))
    shared = wx.signed_request(location, encrypted=True, app_id=account.app_id)

    def deliver(i):
        request = shared if same_request else wx.signed_request(location, encrypted=True, app_id=account.app_id)
        return wx.reply_text(_post_raw(Client(), account, *request), encrypted=True)

    replies = run_in_threads(6, deliver)
    assert not [r for r in replies if isinstance(r, Exception)], replies
    case = Case.objects.get()
    assert set(replies) == {replies[0]} and case.number in replies[0]
    assert WechatMessage.objects.filter(msg_type="location").count() == 1


def test_concurrent_first_messages_of_one_sender_keep_one_conversation(world, account):
    def deliver(i):
        return wx.reply_text(wx.post(Client(), account, wx.text(f"问题{i}"), encrypted=True), encrypted=True)

    replies = run_in_threads(5, deliver)
    assert not [r for r in replies if isinstance(r, Exception)], replies
    from wangge.intake.wechat.models import WechatConversation

    conversation = WechatConversation.objects.get()
    assert sorted(conversation.description.split("\n")) == [f"问题{i}" for i in range(5)]
