"""A 满意 / 不满意 typed (or said) into the WeChat chat after a "handled" notice is answered with
the rating link of the resident's latest answer still to rate — never filed as a new report; it
rates only on the case page, where 不满意 asks what is wrong."""

from __future__ import annotations

import pytest

from wangge.cases import actions
from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case
from wangge.intake.wechat.choices import ConversationState
from wangge.intake.wechat.models import WechatConversation
from wangge.testing import case_in_state, make_category

from . import wx
from .test_callback import file_report

pytestmark = pytest.mark.django_db


def link(case) -> str:
    return f"https://wangge.example.gov.cn/r/t/{case.tracking_token}/"


def resolve(case, world):
    clerk, officer = world.users["clerk"], world.users["chengguan"]
    case = actions.accept_case(case=case, actor=clerk, category=make_category())
    case = actions.dispatch_case(case=case, actor=clerk, lead=actions.Target(department=world.departments["chengguan"]))
    case = actions.claim_case(case=case, actor=officer)
    return actions.resolve_case(case=case, actor=officer, result="井盖已补装。")


@pytest.mark.parametrize("word", ["不满意", "满意", "基本满意！", "不满意。"])
def test_a_rating_typed_after_the_handled_notice_gets_the_rating_link(
        reported,  world, client, account, word):
    case = resolve(reported, world)
    reply = wx.say(client, account, wx.text(word), encrypted=True)
    assert reply == (f"请打开链接对{case.number}的办理结果进行评价（如不满意，请写明原因，我们将重新办理）："
                     f"{link(case)}#rate")
    assert Case.objects.count() == 1  # no new report filed
    conversation = WechatConversation.objects.get(openid=wx.OPENID)
    assert conversation.state == ConversationState.IDLE and conversation.description == ""
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.rated_at is None  # rated on the page only


def test_the_latest_answer_still_to_rate_is_the_one_linked(reported, world, client, account):
    first = resolve(reported, world)
    actions.rate_case_as_resident(case=first, satisfaction="satisfied", comment="")
    file_report(client, account, world)
    second = resolve(Case.objects.exclude(pk=first.pk).get(), world)
    assert f"{link(second)}#rate" in wx.say(client, account, wx.text("不满意"), encrypted=True)


def test_with_no_answer_to_rate_the_words_are_what_the_resident_says(client, account, world):
    # Someone else's resolved case does not count.
    case_in_state(world, CaseStatus.RESOLVED, category=make_category())
    reply = wx.say(client, account, wx.text("不满意"), encrypted=True)
    assert "位置" in reply  # the start of a report: where is it?
    assert WechatConversation.objects.get(openid=wx.OPENID).description == "不满意"
