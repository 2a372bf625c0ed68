"""The reason in a rejection SMS is cut to ``ANSWER_CHARS`` without leaving a comma before the
"…" (the shared ``notifications.text.shorten``; the SMS used to cut first and strip after, which
never reached a comma in front of the ellipsis)."""

from __future__ import annotations

import pytest

from wangge.cases import actions
from wangge.notifications.models import OutboundMessage
from wangge.replies import receivers
from wangge.testing import file_case, make_category

from .test_replies import outbox_dir  # noqa: F401 — an autouse fixture

pytestmark = pytest.mark.django_db


def test_a_reason_cut_just_after_a_comma_ends_in_the_ellipsis_alone(world):
    head = "经现场核查" + "该处为私人产权范围" * 3 + "甲" * (receivers.ANSWER_CHARS - 2 - 32)
    reason = head + "，请与产权单位协商解决。"
    assert len(head) == receivers.ANSWER_CHARS - 2  # the cut (39 characters and …) ends at the comma
    case = file_case(world, category=make_category(department=world.departments["chengguan"]))
    actions.reject_case(case=case, actor=world.users["clerk"], reason=reason)
    body = OutboundMessage.objects.get().body
    assert f"原因：{head}…。" in body and "，…" not in body


def test_a_reason_exactly_at_the_limit_with_its_full_stop_is_whole_without_a_double_stop(world):
    reason = "经现场核查" + "该处为私人产权范围" * 3 + "甲" * (receivers.ANSWER_CHARS - 1 - 32) + "。"
    assert len(reason) == receivers.ANSWER_CHARS
    case = file_case(world, category=make_category(department=world.departments["chengguan"]))
    actions.reject_case(case=case, actor=world.users["clerk"], reason=reason)
    body = OutboundMessage.objects.get().body
    assert f"原因：{reason}" in body and "。。" not in body and "…" not in body
