"""号码提及: a number typed into *someone else's* case — a neighbour's complaint, a handler's note,
an answer — is found by an erasure through the index of mentions and goes from there too; the
index keeps it no longer. The name is not sought on those cases (it may be another person's)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from wangge.audit.chain import verify_timeline
from wangge.cases import actions
from wangge.cases.choices import CaseStatus, EventType
from wangge.cases.mentions import cases_mentioning, phones_in
from wangge.cases.models import Case, CaseEvent, PhoneMention
from wangge.residents.masking import ERASED_MARK
from wangge.residents.services import anonymise_resident
from wangge.testing import case_in_state, file_case, report_in_all

pytestmark = pytest.mark.django_db

PHONE = "13612341234"  # not the factories' default caller
NAME = "张建国"
OTHER = "13900001111"


@pytest.mark.parametrize("typed", [
    "13612341234", "136 1234 1234", "136-1234-1234", "+86 13612341234", "+86-136-1234-1234", "(+86)13612341234",
    "8613612341234", "0086 136 1234 1234", "0136 1234 1234", "１３６１２３４１２３４", "136　1234　1234",
])
def test_a_mobile_number_is_recognised_however_it_was_typed(typed):
    assert phones_in(f"楼上住户电话{typed}。") == {PHONE}


def test_a_landline_needs_its_area_code_and_dates_and_case_numbers_are_no_numbers():
    assert "01062345678" in phones_in("座机 010-6234 5678，3号楼")
    assert "08716234567" in phones_in("(0871)6234567 2楼")  # where it ends is unclear: each length is kept
    assert phones_in("62345678") == set()  # seven or eight digits alone: a date as likely as a number
    assert phones_in("工单 WG20261124-00001，2026年11月24日，订单 2138123412345，18号楼") == set()


def test_what_is_typed_on_a_case_is_indexed_as_it_is_written(world):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, reporter_phone=OTHER,
                         description="楼上（电话 136 1234 1234）漏水到我家厨房")
    assert cases_mentioning(PHONE) == [case.pk]
    assert cases_mentioning(OTHER) == []  # the reporter's own number is a field, not a text
    officer = world.users["chengguan"]
    actions.add_progress_note(case=case, actor=officer, note="已联系物业 010-6234 5678")
    report_in_all(world, case)
    actions.resolve_case(case=case, actor=officer, result="已联系楼上住户 139 0000 2222 维修")
    assert cases_mentioning("010-62345678") == [case.pk]
    assert cases_mentioning("13900002222") == [case.pk]
    assert cases_mentioning("not a number") == []


def test_erasing_a_resident_takes_their_number_from_the_cases_others_typed_it_into(world):
    own = case_in_state(world, CaseStatus.CLOSED, reporter_name=NAME, reporter_phone=PHONE,
                        description="我家楼道灯不亮")
    neighbours = case_in_state(world, CaseStatus.IN_PROGRESS, reporter_name="李四", reporter_phone=OTHER,
                               description=f"楼上{NAME}家（136-1234-1234）漏水，我的电话 {OTHER}")
    noted = case_in_state(world, CaseStatus.SUBMITTED, description="小区门口占道经营")
    actions.accept_case(case=noted, actor=world.users["clerk"], note=f"据网格员，摊主电话 +86 {PHONE}")
    untouched = file_case(world, description=f"噪音扰民，电话 {OTHER}")
    before = list(CaseEvent.objects.filter(case=untouched).values_list("pk", "hash"))
    assert cases_mentioning(PHONE) == sorted([neighbours.pk, noted.pk])

    anonymise_resident(resident=own.reporter, reason="居民申请删除")

    neighbours.refresh_from_db()
    # The number goes; the neighbour's own number and the name stay (a name may be someone else's).
    assert neighbours.description == f"楼上{NAME}家（{ERASED_MARK}）漏水，我的电话 {OTHER}"
    assert neighbours.reporter_phone == OTHER and neighbours.status == CaseStatus.IN_PROGRESS
    accepted = CaseEvent.objects.get(case=noted, type=EventType.ACCEPTED)
    assert accepted.note == f"据网格员，摊主电话 {ERASED_MARK}"
    for case in (neighbours, noted):
        redaction = CaseEvent.objects.filter(case=case).order_by("-pk").first()
        assert redaction.type == EventType.PII_REDACTED and not redaction.public
        assert PHONE not in json.dumps(redaction.data)
    assert list(verify_timeline()) == []
    # The index keeps the erased number nowhere; the other numbers stay findable.
    assert not PhoneMention.objects.filter(digits=PHONE).exists()
    assert cases_mentioning(OTHER) == sorted([neighbours.pk, untouched.pk])
    assert list(CaseEvent.objects.filter(case=untouched).values_list("pk", "hash")) == before


def test_cases_written_before_the_index_are_indexed_by_the_command(world):
    case = case_in_state(world, CaseStatus.IN_PROGRESS, description=f"楼上电话 {PHONE} 漏水")
    actions.add_progress_note(case=case, actor=world.users["chengguan"], note=f"已联系 {OTHER}")
    PhoneMention.objects.all().delete()  # as a database from before the index holds them
    assert cases_mentioning(PHONE) == [] and cases_mentioning(OTHER) == []

    out = StringIO()
    call_command("index_phone_mentions", stdout=out)
    call_command("index_phone_mentions", stdout=StringIO())  # again: nothing doubled

    assert cases_mentioning(PHONE) == [case.pk] and cases_mentioning(OTHER) == [case.pk]
    assert PhoneMention.objects.count() == 2 and "2 in the index" in out.getvalue()
    assert Case.objects.get(pk=case.pk).description == f"楼上电话 {PHONE} 漏水"
