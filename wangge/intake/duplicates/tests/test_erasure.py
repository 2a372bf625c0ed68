"""The note a clerk leaves on a possible duplicate (「张建国重复来电，138 1234 1234」) is about the
reporter: when they are erased (PIPL), their number and name go from it; the pair and its
decision stay."""

from __future__ import annotations

import pytest

from wangge.cases import actions
from wangge.intake.duplicates.models import DuplicateCandidate
from wangge.residents.masking import ERASED_MARK
from wangge.residents.services import anonymise_resident
from wangge.testing import file_case

pytestmark = pytest.mark.django_db


def test_a_note_on_a_pair_of_reports_loses_the_erased_reporter(world):
    mine = file_case(world, reporter_name="张建国", reporter_phone="13812341234")
    theirs = file_case(world, reporter_name="李四", reporter_phone="13900001111")
    pair = DuplicateCandidate.objects.create(case=mine, candidate=theirs, score=0.9, reasons={},
                                             note="张建国重复来电，138 1234 1234；李四 13900001111")
    for case in (mine, theirs):
        actions.reject_case(case=case, actor=world.users["clerk"], reason="已由物业处理")

    anonymise_resident(resident=mine.reporter, reason="居民申请删除")

    pair.refresh_from_db()
    assert pair.note == f"{ERASED_MARK}重复来电，{ERASED_MARK}；李四 13900001111"
