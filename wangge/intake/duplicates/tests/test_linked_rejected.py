"""The further reporters of a case (merged in, or 我也遇到了), told it would be handled, hear when it
is turned down (不予受理): the reason, where to turn and their own report's link — and never an
"accepted" text that was still waiting."""

from __future__ import annotations

import importlib

import pytest

from wangge.cases import actions
from wangge.intake.duplicates.actions import confirm_duplicate
from wangge.intake.duplicates.models import DuplicateCandidate
from wangge.notifications.choices import OutboxStatus
from wangge.notifications.models import MessageTemplate, OutboundMessage
from wangge.notifications.tests.conftest import ensure_default_templates

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def templates(db, settings):
    settings.WANGGE_PUBLIC_BASE_URL = "https://wangge.example.gov.cn"
    ensure_default_templates()
    for name in ("0002_message_templates", "0005_linked_rejected_template"):
        for values in importlib.import_module(f"wangge.intake.duplicates.migrations.{name}").DEFAULTS:
            MessageTemplate.objects.get_or_create(key=values["key"], defaults=values)


def test_a_merged_reporter_hears_that_the_case_was_not_taken_up(world, tree, report, settings):
    settings.WANGGE_OFFICE_HOTLINE = "12345"
    earlier = report(tree["light"], reporter_phone="13800000001")
    newer = report(tree["light"], north_m=40, reporter_phone="13800000002", description="3号楼门口路灯不亮，晚上漆黑")
    confirm_duplicate(candidate=DuplicateCandidate.objects.get(case=newer), actor=world.users["clerk"])
    case = actions.accept_case(case=earlier, actor=world.users["clerk"])
    linked_accepted = OutboundMessage.objects.get(template="linked_case_accepted", to="13800000002")
    assert linked_accepted.status == OutboxStatus.PENDING  # not gone out yet

    actions.reject_case(case=case, actor=world.users["clerk"], reason="该路灯属于小区物业管理，已告知物业维修。")
    told = OutboundMessage.objects.get(template="linked_case_rejected")
    assert told.to == "13800000002"
    assert told.body == (f"【网格】您关注的问题（编号{earlier.number}）不予受理，原因：该路灯属于小区物业管理，已告知物业维修。"
                         f"如有疑问请致电12345。详情：https://wangge.example.gov.cn/r/t/{newer.tracking_token}/")
    linked_accepted.refresh_from_db()
    assert linked_accepted.status == OutboxStatus.WITHDRAWN
    # The case's own reporter hears it once, from the SMS replies.
    assert list(OutboundMessage.objects.filter(to="13800000001").exclude(status=OutboxStatus.WITHDRAWN)
                .values_list("template", flat=True)) == ["case_rejected"]
