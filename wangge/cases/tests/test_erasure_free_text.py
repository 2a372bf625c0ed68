"""PIPL erasure reaches what people typed: a clerk writes the caller's number and name into the
description (张建国（138 1234 1234）反映…), a handler repeats them in a progress note, the
callback's words and the rating comment quote them. When the resident is erased, the number — in
whatever form it was typed — and the name go from every free text of their cases and of the
anonymous reports made from their number, replaced by 〔已删除〕. Someone else's number stays; the
timeline still verifies (the redaction is itself on the record); the figures do not move."""

from __future__ import annotations

import json
import re
import unicodedata
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import override

from wangge.audit.chain import verify_timeline
from wangge.cases import actions
from wangge.cases.choices import CaseStatus, EventType
from wangge.cases.models import Case, CaseAttachment, CaseEvent
from wangge.dashboard.metrics import direct_counts
from wangge.notifications.models import Notification, OutboundMessage
from wangge.residents.masking import ERASED_MARK, redactor
from wangge.residents.models import Resident
from wangge.residents.services import anonymise_resident
from wangge.residents.signals import resident_anonymised
from wangge.testing import case_in_state, file_case, report_in_all

pytestmark = pytest.mark.django_db

PHONE = "13812341234"
NAME = "张建国"
NEIGHBOUR = "13900001111"


def texts_of(case: Case) -> list[str]:
    """Every free text kept for ``case``: its own, its timeline's (note and data) and its files' names."""
    case.refresh_from_db()
    texts = [case.title, case.description, case.address, case.result, case.rating_comment]
    for note, data in CaseEvent.objects.filter(case=case).values_list("note", "data"):
        texts += [note, json.dumps(data, ensure_ascii=False)]
    texts += list(CaseAttachment.objects.filter(case=case).values_list("original_name", flat=True))
    texts += [notice.message for notice in Notification.objects.about(case)]
    for message in OutboundMessage.objects.about(case):
        texts += [message.title, message.body, json.dumps(message.context, ensure_ascii=False)]
    return texts


def holds_the_erased(text: str) -> bool:
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text))
    return PHONE in digits or NAME in text


@pytest.fixture
def reported(world):
    """A case of 张建国's through its whole life, his number and name typed all along the way."""
    clerk, officer = world.users["clerk"], world.users["chengguan"]
    case = case_in_state(
        world, CaseStatus.IN_PROGRESS, reporter_name=NAME, reporter_phone=PHONE,
        title=f"{NAME}反映门口占道经营",
        description=f"{NAME}（138 1234 1234）反映：小区门口有流动摊贩占道经营；邻居 {NEIGHBOUR} 也反映过",
        address="和平路1号（来电 +86 13812341234）",
    )
    actions.add_progress_note(case=case, actor=officer, note=f"已联系{NAME}，电话138-1234-1234，约定下午到场")
    CaseAttachment.objects.create(case=case, file=SimpleUploadedFile("a.jpg", b"x"), original_name=f"{PHONE}现场.jpg",
                                  content_type="image/jpeg", size=1)
    OutboundMessage.objects.create(channel="sms", to=PHONE, template="case_resolved", subject=case,
                                   body=f"{NAME}您好，您反映的问题已办结", context={"answer": f"已电话告知{NAME}"},
                                   dedupe_key=f"test:{case.pk}", status="sent", sent_at=timezone.now())
    report_in_all(world, case)
    case = actions.resolve_case(case=case, actor=officer, result=f"已清理摊贩，已电话告知{NAME}")
    case = actions.revisit_case(case=case, actor=clerk, lawful=True, in_place=True, accepted=True,
                                note="回访 ＋８６ １３８１２３４１２３４", accepted_words=f"我是{NAME}，满意")
    case = actions.rate_case(case=case, actor=clerk, satisfaction="satisfied", comment=f"{NAME}表示满意")
    case = actions.close_case(case=case, actor=clerk)
    anonymous = case_in_state(world, CaseStatus.CLOSED, reporter_phone=PHONE, reporter_anonymous=True,
                              reporter_name="", description="匿名反映，回电 0086-138-1234-1234")
    return case, anonymous


def test_the_erased_number_and_name_go_from_every_free_text(reported):
    case, anonymous = reported
    assert any(holds_the_erased(text) for text in texts_of(case))
    assert any(NAME in notice.message for notice in Notification.objects.about(case))  # 新工单 …: its title
    figures = direct_counts(Case.objects.all())

    anonymise_resident(resident=case.reporter, reason="居民申请删除")

    for erased in (case, anonymous):
        left = [text for text in texts_of(erased) if holds_the_erased(text)]
        assert left == []
    case.refresh_from_db()
    assert case.description == f"{ERASED_MARK}（{ERASED_MARK}）反映：小区门口有流动摊贩占道经营；邻居 {NEIGHBOUR} 也反映过"
    assert case.address == f"和平路1号（来电 {ERASED_MARK}）"
    assert direct_counts(Case.objects.all()) == figures
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED


def test_the_timeline_verifies_and_says_what_was_redacted(reported):
    case, anonymous = reported
    events = CaseEvent.objects.filter(case=case).count()

    anonymise_resident(resident=case.reporter, reason="居民申请删除")

    assert list(verify_timeline()) == []
    assert CaseEvent.objects.filter(case=case).count() == events + 1
    redaction = CaseEvent.objects.filter(case=case).order_by("-pk").first()
    assert redaction.type == EventType.PII_REDACTED and not redaction.public
    progress = CaseEvent.objects.get(case=case, type=EventType.PROGRESS)
    assert str(progress.pk) in redaction.data["events"] and "note" in redaction.data["events"][str(progress.pk)]
    assert "description" in redaction.data["case"]
    assert not holds_the_erased(json.dumps(redaction.data, ensure_ascii=False))
    assert "5 处文字" in redaction.note and "〔已删除〕" in redaction.note  # title, description, address, answer, comment
    assert CaseEvent.objects.filter(case=anonymous, type=EventType.PII_REDACTED).exists()


def test_a_case_without_the_number_in_its_text_keeps_its_timeline_untouched(world):
    case = case_in_state(world, CaseStatus.CLOSED, reporter_name="李", reporter_phone=PHONE)
    before = list(CaseEvent.objects.filter(case=case).values_list("pk", "hash"))

    anonymise_resident(resident=case.reporter, reason="居民申请删除")

    assert list(CaseEvent.objects.filter(case=case).values_list("pk", "hash")) == before  # nothing redacted, nothing appended


def test_a_failure_later_in_the_erasure_leaves_everything_as_it_was(reported):
    case, _anonymous = reported
    before = texts_of(case)

    def broken(**kwargs):
        raise RuntimeError("an app failed to erase its copies")

    resident_anonymised.connect(broken, dispatch_uid="test.broken")
    try:
        with pytest.raises(RuntimeError):
            anonymise_resident(resident=case.reporter, reason="居民申请删除")
    finally:
        resident_anonymised.disconnect(dispatch_uid="test.broken")

    assert texts_of(case) == before
    assert Resident.objects.get(pk=case.reporter_id).anonymised_at is None
    assert list(verify_timeline()) == []


@pytest.mark.parametrize("typed", [
    "13812341234", "138 1234 1234", "138-1234-1234", "+86 13812341234", "+86-138-1234-1234", "(+86)13812341234",
    "8613812341234", "0086 138 1234 1234", "0138 1234 1234", "１３８１２３４１２３４", "138　1234　1234",
])
def test_the_number_is_found_however_it_was_typed(typed):
    assert redactor(phones=[PHONE], names=[])(f"电话{typed}。") == f"电话{ERASED_MARK}。"


def test_longer_runs_of_digits_and_one_character_names_are_left_alone():
    redact = redactor(phones=[PHONE], names=["张", NAME])
    assert redact("工单 2138123412345 张先生") == "工单 2138123412345 张先生"
    assert redact(f"{NAME}说") == f"{ERASED_MARK}说"


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_the_timeline_stays_append_only_outside_the_erasure(reported):
    case, _anonymous = reported
    with transaction.atomic():
        anonymise_resident(resident=case.reporter, reason="居民申请删除")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE cases_caseevent SET note = 'x' WHERE case_id = %s", [case.pk])


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_the_way_through_for_erasure_lets_only_the_text_and_the_chain_change(reported):
    from wangge.cases.events import _redaction_allowed

    case, _anonymous = reported
    event = CaseEvent.objects.filter(case=case).first()
    with transaction.atomic(), _redaction_allowed():
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE cases_caseevent SET type = 'x', note = 'y' WHERE id = %s", [event.pk])
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_caseevent WHERE id = %s", [event.pk])
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cases_caseevent SET note = 'y' WHERE id = %s", [event.pk])


def test_a_stored_file_named_after_the_number_is_renamed(world, django_capture_on_commit_callbacks):
    case = case_in_state(world, CaseStatus.CLOSED, reporter_phone=PHONE)
    attachment = CaseAttachment.objects.create(case=case, file=SimpleUploadedFile(f"{PHONE}现场.jpg", b"photo"),
                                               original_name=f"{PHONE}现场.jpg", content_type="image/jpeg", size=5)
    old = attachment.file.name
    storage = attachment.file.storage
    assert PHONE in old and storage.exists(old)

    with django_capture_on_commit_callbacks(execute=True):
        anonymise_resident(resident=case.reporter, reason="居民申请删除")

    attachment.refresh_from_db()
    assert PHONE not in attachment.file.name and PHONE not in attachment.original_name
    assert ERASED_MARK in attachment.file.name
    with storage.open(attachment.file.name, "rb") as content:
        assert content.read() == b"photo"
    assert not storage.exists(old)


def test_an_earlier_tampering_is_not_laundered_by_the_erasure(reported):
    from wangge.audit.tests.helpers import behind_the_back

    case, _anonymous = reported
    tampered = CaseEvent.objects.filter(case=case, type=EventType.RESOLVED).get()
    with behind_the_back() as cursor:
        cursor.execute("UPDATE cases_caseevent SET note = %s WHERE id = %s", ["已办结（改过）", tampered.pk])
    assert [b.event_id for b in verify_timeline(case=case)] == [tampered.pk]

    anonymise_resident(resident=case.reporter, reason="居民申请删除")

    redaction = CaseEvent.objects.filter(case=case).order_by("-pk").first()
    assert redaction.data["unverified"] == [tampered.pk]  # on the record, chained after it
    breaks = list(verify_timeline(case=case))
    assert [(b.event_id, b.problem) for b in breaks] == [(tampered.pk, "altered_before_erasure")]  # still reported
    out = StringIO()
    with override("zh-hans"), pytest.raises(CommandError):
        call_command("verify_audit", stdout=out)
    assert f"记录 {tampered.pk}：依法删除个人信息并重新封存办理记录时" in out.getvalue()


def test_a_report_merged_into_someone_elses_case_leaves_no_trace_of_them_there(world):
    mine = file_case(world, reporter_name=NAME, reporter_phone=PHONE, description=f"{NAME}反映门口摊贩")
    theirs = file_case(world, reporter_name="李四", reporter_phone=NEIGHBOUR, description="门口摊贩占道")
    actions.merge_case(case=mine, into=theirs, actor=world.users["clerk"], note=f"同一摊贩；{NAME}（138 1234 1234）也来电")
    assert NAME in CaseEvent.objects.get(case=theirs, type=EventType.DUPLICATE_MERGED).note
    actions.reject_case(case=theirs, actor=world.users["clerk"], reason="已由物业处理")  # nothing of theirs open

    anonymise_resident(resident=Case.objects.get(pk=mine.pk).reporter, reason="居民申请删除")

    assert not any(holds_the_erased(text) for text in texts_of(theirs))
    theirs.refresh_from_db()
    assert (theirs.reporter_name, theirs.reporter_phone) == ("李四", NEIGHBOUR)  # their reporter is not erased
    assert list(verify_timeline()) == []


def test_reactions_still_waiting_for_the_worker_lose_the_erased_words(world, django_capture_on_commit_callbacks):
    """A domain event waits in ``PendingReaction`` until the worker reacts (and stays there, given
    up, until an admin retries it): its copy of the note goes with the rest, the reaction still runs."""
    from wangge.core.events import run_pending_reactions
    from wangge.core.models import PendingReaction

    clerk, officer = world.users["clerk"], world.users["chengguan"]
    case = case_in_state(world, CaseStatus.IN_PROGRESS, channel="mailbox", reporter_name=NAME, reporter_phone=PHONE)
    report_in_all(world, case)
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not run yet
        case = actions.resolve_case(case=case, actor=officer, result=f"已电话告知{NAME}（138 1234 1234），邻居 {NEIGHBOUR}")
        case = actions.revisit_case(case=case, actor=clerk, lawful=True, in_place=True, accepted=True, note="回访")
        case = actions.rate_case(case=case, actor=clerk, satisfaction="satisfied")
        case = actions.close_case(case=case, actor=clerk)
    waiting = PendingReaction.objects.get(subscriber="mailbox.answer_due")
    given_up = PendingReaction.objects.create(
        subscriber="elsewhere.reaction", due_at=timezone.now(), dead=True, attempts=5,
        event={"name": "need_raised", "subject": "neighbourhood.need", "subject_id": 1, "key": "neighbourhood.need:1",
               "occurred_at": timezone.now().isoformat(), "payload": {"text": f"{NAME}家需要助餐，电话 138 1234 1234"}})
    assert holds_the_erased(json.dumps(waiting.event, ensure_ascii=False))

    anonymise_resident(resident=case.reporter, reason="居民申请删除")

    for row in (waiting, given_up):
        row.refresh_from_db()
        assert not holds_the_erased(json.dumps(row.event, ensure_ascii=False))
    assert NEIGHBOUR in waiting.event["payload"]["note"]
    assert given_up.event["payload"]["text"] == f"{ERASED_MARK}家需要助餐，电话 {ERASED_MARK}"
    redaction = CaseEvent.objects.filter(case=case, type=EventType.PII_REDACTED).get()
    assert redaction.data["reactions"] == [waiting.pk]
    assert run_pending_reactions(subscribers={"mailbox.answer_due"}) == 1  # the reaction still runs, on the redacted words
    answer_due = CaseEvent.objects.get(case=case, type="mailbox_answer_due")
    assert not holds_the_erased(answer_due.note) and NEIGHBOUR in answer_due.note


def test_a_title_that_filled_its_column_still_fits_once_the_name_is_redacted(world):
    """〔已删除〕 is longer than 张建国: a 120-character title naming him would not fit once redacted,
    and PostgreSQL would refuse the whole erasure."""
    title = f"{NAME}反映" + "楼" * (120 - len(NAME) - 2)
    case = case_in_state(world, CaseStatus.CLOSED, reporter_name=NAME, reporter_phone=PHONE, title=title)
    assert len(Case.objects.get(pk=case.pk).title) == 120

    anonymise_resident(resident=case.reporter, reason="居民申请删除")

    case.refresh_from_db()
    assert case.title == (f"{ERASED_MARK}反映" + "楼" * 120)[:120]
    assert list(verify_timeline()) == []
