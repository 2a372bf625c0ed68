"""Chat etiquette on the official account (寒暄): a resident's "你好", "谢谢" or "好的" is answered,
never filed as the words of a problem."""

from __future__ import annotations

import pytest

from wangge.cases.models import Case
from wangge.intake.wechat.actions import is_pleasantry
from wangge.intake.wechat.choices import ConversationState
from wangge.intake.wechat.models import WechatConversation

from . import wx
from .test_callback import file_report, gcj_point_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["你好", "您好！", "你好，在吗？", "有人在吗", "谢谢", "谢谢你们😊", "好的，谢谢！",
                                  "OK", "嗯嗯", "收到了", "Hello!", "Thank you", "👍", "辛苦了"])
def test_greetings_thanks_and_acknowledgements_are_pleasantries(text):
    assert is_pleasantry(text)


@pytest.mark.parametrize("text", ["路灯不亮", "不好", "好臭", "井盖丢了", "救命啊", "你好，我们小区的路灯坏了",
                                  "谢谢，但是楼下的垃圾还没清"])
def test_anything_about_a_problem_is_a_problem(text):
    assert not is_pleasantry(text)


def test_a_greeting_gets_the_welcome_and_is_not_the_problem(client, account, world):
    reply = wx.say(client, account, wx.text("你好，在吗？"), encrypted=True)
    assert "欢迎关注东园社区" in reply and "位置" in reply
    # The location that follows does not file a case reading "你好": it asks what the problem is.
    assert "什么问题" in wx.say(client, account, wx.location(*gcj_point_in(world, world.grids[0])), encrypted=True)
    assert not Case.objects.exists()
    assert "已登记" in wx.say(client, account, wx.text("小区东门的井盖丢了"), encrypted=True)
    assert Case.objects.get().description == "小区东门的井盖丢了"


def test_thanks_after_the_number_starts_no_new_report(client, account, world):
    assert "已登记" in file_report(client, account, world)
    reply = wx.say(client, account, wx.text("好的，谢谢！"), encrypted=True)
    assert "不客气" in reply and "在哪里" not in reply
    conversation = WechatConversation.objects.get()
    assert (conversation.state, conversation.description) == (ConversationState.IDLE, "")
    # Sharing a location later still asks for the problem, and files nothing by itself.
    wx.say(client, account, wx.location(*gcj_point_in(world, world.grids[0])), encrypted=True)
    assert Case.objects.count() == 1


def test_an_ok_in_the_middle_of_a_report_is_reminded_of_what_is_missing(client, account, world):
    assert "在哪里" in wx.say(client, account, wx.text("垃圾桶满了没人清"), encrypted=True)
    assert "在哪里" in wx.say(client, account, wx.text("好的"), encrypted=True)
    assert WechatConversation.objects.get().description == "垃圾桶满了没人清"
    wx.say(client, account, wx.location(*gcj_point_in(world, world.grids[0])), encrypted=True)
    assert Case.objects.get().description == "垃圾桶满了没人清"


def test_a_problem_that_opens_with_a_greeting_is_filed_whole(client, account, world):
    assert "在哪里" in wx.say(client, account, wx.text("你好，我们小区的路灯坏了"), encrypted=True)
    wx.say(client, account, wx.location(*gcj_point_in(world, world.grids[0])), encrypted=True)
    assert Case.objects.get().description == "你好，我们小区的路灯坏了"


def test_thanks_in_english(client, account, settings):
    settings.LANGUAGE_CODE = "en"
    assert "You are welcome" in wx.say(client, account, wx.text("thanks!"), encrypted=True)
