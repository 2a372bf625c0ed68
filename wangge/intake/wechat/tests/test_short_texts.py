"""The reason in a WeChat rejection notice is cut to ``ANSWER_CHARS`` without leaving a comma
before the "…" (the shared ``notifications.text.shorten``; WeChat used to strip first and cut
after, so a cut that landed just after a comma kept it)."""

from __future__ import annotations

import pytest

from wangge.cases import actions
from wangge.intake.wechat import receivers
from wangge.notifications.models import OutboundMessage

pytestmark = pytest.mark.django_db


def test_a_reason_cut_just_after_a_comma_ends_in_the_ellipsis_alone(reported, world):
    head = "经现场核查" + "该井盖属于燃气公司管理" * 4 + "甲" * (receivers.ANSWER_CHARS - 2 - 49)
    reason = head + "，已转告其处理。"
    assert len(head) == receivers.ANSWER_CHARS - 2  # the cut (59 characters and …) ends at the comma
    actions.reject_case(case=reported, actor=world.users["clerk"], reason=reason)
    body = OutboundMessage.objects.get().body
    assert f"原因：{head}…。" in body and "，…" not in body
