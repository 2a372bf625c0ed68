"""Correction and deletion requests (PIPL art. 46, 47): made once, answered in the admin, the
resident told by SMS; a deletion is carried out by ``anonymise_resident`` or refused with its reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case
from wangge.notifications.models import OutboundMessage
from wangge.residents import personal_data, services
from wangge.residents.choices import DataRequestKind, DataRequestStatus
from wangge.residents.models import PersonalDataRequest, Resident, VerificationCode
from wangge.testing import case_in_state, make_user

pytestmark = pytest.mark.django_db

ADMIN_LIST = "/admin/residents/personaldatarequest/"
PHONE = "13812341234"


def answers() -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(template=personal_data.ANSWER_TEMPLATE).order_by("pk"))


@pytest.fixture
def officer(db):
    return make_user(username="pipl-officer", is_staff=True, is_superuser=True)


@pytest.fixture
def closed_reporter(world):
    """A resident whose only case is closed: nothing keeps them from being erased."""
    case = case_in_state(world, CaseStatus.SUBMITTED)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=timezone.now())
    return Resident.objects.get(pk=case.reporter_id)


def test_a_second_pending_request_of_a_kind_is_refused(closed_reporter):
    first = personal_data.create_data_request(resident=closed_reporter, kind=DataRequestKind.DELETE, details="搬走了")
    with pytest.raises(personal_data.DuplicateRequest):
        personal_data.create_data_request(resident=closed_reporter, kind=DataRequestKind.DELETE, details="再申请")
    # The database holds the rule, whatever the code above it does.
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonalDataRequest.objects.create(resident=closed_reporter, kind=DataRequestKind.DELETE, details="x")
    assert PersonalDataRequest.objects.count() == 1
    # Once answered, a new one may be made.
    personal_data.answer_data_request(data_request=first, actor=None, outcome=DataRequestStatus.REFUSED, reply="无")
    personal_data.create_data_request(resident=closed_reporter, kind=DataRequestKind.DELETE, details="再申请")
    assert PersonalDataRequest.objects.count() == 2


def test_admin_deletion_goes_through_anonymise_resident_and_texts_the_answer(client, officer, closed_reporter,
                                                                              monkeypatch):
    row = personal_data.create_data_request(resident=closed_reporter, kind=DataRequestKind.DELETE, details="不再需要")
    called = []
    real = personal_data.anonymise_resident
    monkeypatch.setattr(personal_data, "anonymise_resident", lambda **kw: called.append(kw) or real(**kw))
    client.force_login(officer)
    response = client.post(ADMIN_LIST, {"action": "carry_out_deletions", "_selected_action": [row.pk]}, follow=True)
    assert "已答复，并已短信告知居民" in response.content.decode()
    assert [c["resident"].pk for c in called] == [closed_reporter.pk]
    resident = Resident.objects.get(pk=closed_reporter.pk)
    assert resident.anonymised_at is not None and resident.phone == "" and resident.name == ""
    assert resident.anonymised_by == officer
    row.refresh_from_db()
    assert row.status == DataRequestStatus.DONE and row.handled_by == officer and row.details == ""
    # The answer reaches the number that was just erased, and only the answer holds it.
    [sms] = answers()
    assert sms.to == PHONE and sms.status in ("pending", "sent")
    assert "删除申请已办理" in sms.body and "您的个人信息已删除" in sms.body
    assert PHONE not in sms.dedupe_key


def test_deletion_refused_while_a_case_is_open_says_why(client, officer, world):
    case = case_in_state(world, CaseStatus.ACCEPTED)
    resident = case.reporter
    row = personal_data.create_data_request(resident=resident, kind=DataRequestKind.DELETE, details="不再需要")
    client.force_login(officer)
    response = client.post(ADMIN_LIST, {"action": "carry_out_deletions", "_selected_action": [row.pk]}, follow=True)
    html = response.content.decode()
    assert "未删除" in html and "仍有未办结事项" in html
    resident.refresh_from_db()
    assert resident.anonymised_at is None and resident.phone == PHONE
    row.refresh_from_db()
    assert row.status == DataRequestStatus.REFUSED and "尚未办结的事项" in row.reply and row.details == "不再需要"
    [sms] = answers()
    assert sms.to == PHONE and "删除申请已驳回" in sms.body and "尚未办结" in sms.body


def test_answering_a_correction_in_the_change_form(client, officer, closed_reporter):
    row = personal_data.create_data_request(resident=closed_reporter, kind=DataRequestKind.CORRECT,
                                            details="名字应为张叁")
    client.force_login(officer)
    url = f"{ADMIN_LIST}{row.pk}/change/"
    page = client.get(url).content.decode()
    assert "名字应为张叁" in page and 'name="outcome"' in page
    # Refusing needs a reason.
    refused = client.post(url, {"outcome": DataRequestStatus.REFUSED, "answer": ""})
    assert refused.status_code == 200 and "请写明驳回理由" in refused.content.decode()
    assert answers() == []
    done = client.post(url, {"outcome": DataRequestStatus.DONE, "answer": "已将姓名更正为张叁"}, follow=True)
    assert done.status_code == 200
    row.refresh_from_db()
    assert row.status == DataRequestStatus.DONE and row.reply == "已将姓名更正为张叁" and row.handled_at
    [sms] = answers()
    assert "更正申请已办理" in sms.body and sms.body.endswith("答复：已将姓名更正为张叁。")
    # Answered once: the form is gone and a second answer is refused.
    assert 'name="outcome"' not in client.get(url).content.decode()
    with pytest.raises(personal_data.RequestAnswered):
        personal_data.answer_data_request(data_request=row, actor=officer, outcome=DataRequestStatus.REFUSED)
    assert len(answers()) == 1


def test_the_admin_list_filters_by_status_and_kind(client, officer, closed_reporter):
    personal_data.create_data_request(resident=closed_reporter, kind=DataRequestKind.CORRECT, details="a")
    client.force_login(officer)
    html = client.get(ADMIN_LIST, {"status__exact": "pending", "kind__exact": "correct"}).content.decode()
    assert "待处理" in html and "SQ" in html
    assert client.get(ADMIN_LIST, {"details__contains": "a"}).status_code in (302, 400)  # no filtering on the text


def test_deletion_without_the_anonymise_permission_is_not_offered(client, closed_reporter):
    from django.contrib.auth.models import Permission

    clerk = make_user(username="pipl-clerk", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_personaldatarequest",
                                                                         "change_personaldatarequest"]))
    row = personal_data.create_data_request(resident=closed_reporter, kind=DataRequestKind.DELETE, details="x")
    client.force_login(clerk)
    assert "carry_out_deletions" not in client.get(ADMIN_LIST).content.decode()
    client.post(f"{ADMIN_LIST}{row.pk}/change/", {"outcome": DataRequestStatus.DONE, "answer": ""})
    row.refresh_from_db()
    assert row.status == DataRequestStatus.PENDING and Resident.objects.get(pk=closed_reporter.pk).phone == PHONE


def test_codes_are_hashed_and_checked_in_constant_form(closed_reporter):
    sent = personal_data.send_verification_code(phone=PHONE)
    code = OutboundMessage.objects.get(template=personal_data.CODE_TEMPLATE).context["code"]
    assert code not in sent.code_hash and personal_data.code_matches(code, sent.code_hash)
    assert personal_data.send_verification_code(phone="13900000000") is None
    # Full-width digits from a Chinese input method are the same code.
    full_width = code.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
    assert personal_data.check_verification_code(code_id=sent.pk, code=full_width).resident.pk == closed_reporter.pk
    with pytest.raises(personal_data.CodeRefused) as used:
        personal_data.check_verification_code(code_id=sent.pk, code=code)
    assert used.value.reason == "expired"


def test_a_code_expires(closed_reporter):
    sent = personal_data.send_verification_code(phone=PHONE)
    code = OutboundMessage.objects.get(template=personal_data.CODE_TEMPLATE).context["code"]
    later = timezone.now() + dt.timedelta(minutes=personal_data.CODE_MINUTES, seconds=1)
    with pytest.raises(personal_data.CodeRefused) as refused:
        personal_data.check_verification_code(code_id=sent.pk, code=code, now=later)
    assert refused.value.reason == "expired" and VerificationCode.objects.get().used_at is None


def test_merging_residents_moves_their_requests(world):
    case = case_in_state(world, CaseStatus.SUBMITTED)
    owner = case.reporter
    other = services.resident_for_wechat(app_id="wx1", openid="o-123")
    personal_data.create_data_request(resident=other, kind=DataRequestKind.CORRECT, details="x")
    kept = services.link_phone(resident=other, phone=PHONE, verified=True)
    assert kept.pk == owner.pk
    assert PersonalDataRequest.objects.get().resident_id == owner.pk


def test_an_officer_working_in_english_still_answers_the_resident_in_chinese(client, officer, closed_reporter):
    row = personal_data.create_data_request(resident=closed_reporter, kind=DataRequestKind.DELETE, details="x")
    client.force_login(officer)
    client.post("/i18n/setlang/", {"language": "en", "next": ADMIN_LIST})
    page = client.post(ADMIN_LIST, {"action": "carry_out_deletions", "_selected_action": [row.pk]}, follow=True)
    assert "answered; the resident is told by text message" in page.content.decode()
    [sms] = answers()
    assert "删除申请已办理" in sms.body and "您的个人信息已删除" in sms.body
    row.refresh_from_db()
    assert row.reply == "您的个人信息已删除。"


def test_a_long_reply_is_shortened_in_the_text_and_whole_on_the_record(closed_reporter):
    row = personal_data.create_data_request(resident=closed_reporter, kind=DataRequestKind.CORRECT, details="x")
    # 14 + 15 + 15 + 15 characters: the 59th is a comma, where a plain cut would leave "，…".
    reply = "经核实并与户籍信息比对之后，" + "您登记的住址与户籍信息不一致，" * 10 + "已按户籍信息更正。"
    assert reply[58] == "，"
    personal_data.answer_data_request(data_request=row, actor=None, outcome=DataRequestStatus.DONE, reply=reply)
    row.refresh_from_db()
    assert row.reply == reply
    [sms] = answers()
    assert sms.body.endswith("…。") and "，…" not in sms.body
    assert len(sms.context["reply"]) <= personal_data.REPLY_IN_SMS and sms.context["reply"].endswith("一致…")
