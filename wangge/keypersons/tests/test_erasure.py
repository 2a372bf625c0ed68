"""A resident erased (PIPL) is erased from the visit register at once, as the retention sweep would
erase them later: their entries' personal data and notes, their visits' notes, and the erased
number and name wherever the register quotes them. The entries, the visits and the figures stay;
another person's entries are untouched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wangge.keypersons import actions
from wangge.keypersons.choices import AttendanceKind, HelpNeeded, Mood
from wangge.keypersons.models import Attendance, KeyPerson, Visit
from wangge.residents.masking import ERASED_MARK
from wangge.residents.services import anonymise_resident

pytestmark = pytest.mark.django_db


def visit(world, person, **fields):
    return actions.record_visit(actor=world.users["worker_a1"], person=person, **fields)


@pytest.fixture
def erased(world, register):
    """张秀英 (13812345678), visited twice and attended once, then retired — and 李四, still on the
    register, whose visit notes mention 张秀英 and her number."""
    person = register(notes="独居，女儿在外地，电话13987654321")
    visit(world, person, found="张秀英说腿疼，已联系女儿", place="东园小区3号楼501", mood=Mood.LOW,
          help_needed=HelpNeeded.SERVICE, need_note="需要送餐，联系138 1234 5678")
    visit(world, person, found="在家")
    actions.record_attendance(actor=world.users["worker_a1"], kind=AttendanceKind.ILLNESS, person=person,
                              note="张秀英住院，邻居李四(13900000001)陪同", place="区医院")
    actions.retire_key_person(actor=world.users["secretary_a"], person=person,
                              reason="张秀英搬去女儿家，新号码+86 138-1234-5678")
    other = register(name="李四", phone="13900000001", id_number="110105195001011234")
    visit(world, other, found="邻居张秀英搬走了，13812345678 停机", place="东园小区3号楼502")
    anonymise_resident(resident=person.resident, actor=world.users["admin"], reason="本人申请删除")
    person.refresh_from_db()
    other.refresh_from_db()
    return person, other


def test_the_entry_is_erased_as_the_retention_sweep_erases_it(erased):
    person, _other = erased
    assert (person.name, person.phone, person.id_number, person.address, person.notes) == ("", "", "", "", "")
    assert person.anonymised_at is not None
    # Still the same retired entry, with a reason — only the erased words are gone from it.
    assert not person.is_active and person.retired_at is not None
    assert person.retire_reason == f"{ERASED_MARK}搬去女儿家，新号码{ERASED_MARK}"


def test_the_visits_notes_are_blank_and_their_figures_kept(erased):
    person, _other = erased
    visits = list(Visit.objects.filter(key_person=person).order_by("visited_at", "pk"))
    assert len(visits) == 2
    assert {(v.found, v.place, v.need_note) for v in visits} == {("", "", "")}
    assert sorted((v.mood, v.help_needed) for v in visits) == sorted(
        [(Mood.LOW, HelpNeeded.SERVICE), (Mood.STABLE, HelpNeeded.NONE)])


def test_the_attendance_note_loses_the_person_but_keeps_someone_else(erased):
    person, _other = erased
    attendance = Attendance.objects.get(key_person=person)
    assert attendance.note == f"{ERASED_MARK}住院，邻居李四(13900000001)陪同"
    assert (attendance.kind, attendance.place) == (AttendanceKind.ILLNESS, "区医院")


def test_another_persons_entry_and_visits_are_untouched(erased):
    _person, other = erased
    assert (other.name, other.phone, other.is_active, other.anonymised_at) == ("李四", "13900000001", True, None)
    assert other.address and other.id_number == "110105195001011234"
    assert Visit.objects.get(key_person=other).found == "邻居张秀英搬走了，13812345678 停机"


def test_an_entry_the_sweep_already_erased_loses_the_words_it_did_not_know(world, register):
    person = register(name="王五", phone="")
    actions.retire_key_person(actor=world.users["secretary_a"], person=person, reason="王五跟女儿走了，有事打13700000007")
    KeyPerson.objects.filter(pk=person.pk).update(retired_at=timezone.now() - dt.timedelta(days=40))
    assert actions.anonymise_retired_key_persons(days=30) == 1
    person.refresh_from_db()
    swept_at = person.anonymised_at
    assert person.retire_reason == f"{ERASED_MARK}跟女儿走了，有事打13700000007"  # the sweep knew the name only
    # The resident gave their number later; when they are erased, it goes from the reason too.
    person.resident.phone = "13700000007"
    person.resident.save(update_fields=["phone"])
    anonymise_resident(resident=person.resident, reason="本人申请删除")
    person.refresh_from_db()
    assert person.anonymised_at == swept_at
    assert person.retire_reason == f"{ERASED_MARK}跟女儿走了，有事打{ERASED_MARK}"


def test_a_redacted_text_still_fits_its_column(world, register):
    person = register(name="赵六六", phone="")
    reason = ("赵六六" + "。" * 7) * 20  # 200 characters; each name becomes the longer 〔已删除〕
    actions.retire_key_person(actor=world.users["secretary_a"], person=person, reason=reason)
    anonymise_resident(resident=person.resident, reason="本人申请删除")
    person.refresh_from_db()
    assert len(person.retire_reason) == 200 and person.retire_reason.startswith(ERASED_MARK + "。")
    assert "赵六六" not in person.retire_reason


def test_the_case_a_visit_opened_loses_the_words_it_took_from_the_visit(world, register):
    from wangge.cases.choices import EventType
    from wangge.cases.models import CaseEvent

    person = register(name="钱七七", phone="13612345678")
    found = actions.record_visit(actor=world.users["worker_a1"], person=person, help_needed=HelpNeeded.CASE,
                                 need_note="钱七七家楼道灯坏了，回电136 1234 5678，邻居13900000001也反映过",
                                 place="东园小区3号楼钱七七家门口")
    actions.retire_key_person(actor=world.users["secretary_a"], person=person, reason="搬走")
    anonymise_resident(resident=person.resident, actor=world.users["admin"], reason="本人申请删除")
    case = found.case
    case.refresh_from_db()
    assert case.description == f"{ERASED_MARK}家楼道灯坏了，回电{ERASED_MARK}，邻居13900000001也反映过"
    assert case.address == f"东园小区3号楼{ERASED_MARK}家门口"
    assert "钱七七" not in case.title
    # Recorded on the case's timeline, staff-only: the number found through the index of
    # mentions first (cases), then the words the visit gave it (key persons).
    records = list(CaseEvent.objects.filter(case=case, type=EventType.PII_REDACTED))
    assert records and all(not r.public and r.actor == world.users["admin"] for r in records)


def test_quick_reports_quoting_the_number_lose_it_and_keep_the_rest(world):
    """六报 name nobody, but an incoming-population report may quote a number: an erased
    resident's number goes from it, however typed; another number and the report stay."""
    from wangge.keypersons.choices import QuickReportKind
    from wangge.keypersons.models import QuickReport
    from wangge.residents.services import resident_for_report

    resident = resident_for_report(name="王小明", phone="13612345678", anonymous=False)
    worker = world.users["worker_a1"]
    quoted = actions.quick_report(actor=worker, kind=QuickReportKind.INCOMING, place="东园小区5号楼",
                                  note="新迁入租户王小明，电话 136-1234-5678，邻居13900000002")
    wide = actions.quick_report(actor=worker, kind=QuickReportKind.PREGNANCY, note="孕妇家属电话１３６１２３４５６７８")
    other = actions.quick_report(actor=worker, kind=QuickReportKind.INCOMING, note="新租户两人，电话13900000002")

    anonymise_resident(resident=resident, actor=world.users["admin"], reason="本人申请删除")

    quoted, wide, other = (QuickReport.objects.get(pk=r.pk) for r in (quoted, wide, other))
    assert quoted.note == f"新迁入租户王小明，电话 {ERASED_MARK}，邻居13900000002"  # the name may be another's
    assert wide.note == f"孕妇家属电话{ERASED_MARK}"
    assert other.note == "新租户两人，电话13900000002" and quoted.kind == QuickReportKind.INCOMING
