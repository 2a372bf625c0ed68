"""A case on a meeting's agenda carries its title (张建国反映夜市噪音) into the agenda item, the
meeting's log and the minutes. When the resident who reported it is erased (PIPL), their number
and name go from those copies too — the items, their decisions and the minutes stay."""

from __future__ import annotations

import json

import pytest

from wangge.cases import actions as case_actions
from wangge.meetings.models import AgendaItem, MeetingEvent, Minutes
from wangge.residents.masking import ERASED_MARK
from wangge.residents.services import anonymise_resident
from wangge.testing import close_after_revisit, report_in_all
from wangge.testing.factories import file_case

from .conftest import open_meeting

pytestmark = pytest.mark.django_db

NAME, PHONE = "张建国", "13812341234"


def test_the_agenda_and_the_minutes_lose_the_erased_reporter(world, two_star, bimonthly):
    clerk, secretary = world.users["clerk"], world.users["secretary_a"]
    case = file_case(world, category=two_star, title=f"{NAME}反映夜市噪音（138 1234 1234）", reporter_name=NAME,
                     reporter_phone=PHONE)
    case = case_actions.accept_case(case=case, actor=clerk)
    meeting = open_meeting(bimonthly, secretary, case)
    item = AgendaItem.objects.get(meeting=meeting, case=case)
    AgendaItem.objects.filter(pk=item.pk).update(notes=f"{NAME}到会陈述", outcome=f"已告知{NAME}")
    Minutes.objects.create(meeting=meeting, summary=f"议定{NAME}反映事项",
                           items=[{"title": item.title, "outcome": f"已告知{NAME}"}])
    assert AgendaItem.objects.get(pk=item.pk).title.startswith(NAME)
    case = case_actions.dispatch_case(case=case, actor=clerk,
                                      lead=case_actions.Target(department=world.departments["chengguan"]))
    case = case_actions.claim_case(case=case, actor=world.users["chengguan"])
    report_in_all(world, case)
    case = case_actions.resolve_case(case=case, actor=world.users["chengguan"], result="已整治")
    close_after_revisit(case, clerk)

    anonymise_resident(resident=case.reporter, reason="居民申请删除")

    item.refresh_from_db()
    assert item.title == f"{ERASED_MARK}反映夜市噪音（{ERASED_MARK}）"
    assert NAME not in item.notes + item.outcome
    minutes = Minutes.objects.get(meeting=meeting)
    assert NAME not in minutes.summary + json.dumps(minutes.items, ensure_ascii=False)
    for event in MeetingEvent.objects.filter(meeting=meeting):
        assert NAME not in event.note + json.dumps(event.data, ensure_ascii=False)
    assert AgendaItem.objects.filter(meeting=meeting).count() == 1  # the item and its decision stay
