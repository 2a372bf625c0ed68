"""我的个人信息 for a number that only anonymous reports were made from: the report keeps the
number (for the call back) but no resident. The person proves the number by the same code, sees
those reports, and may ask for a correction or a deletion; no resident is made at sign-in, only
when a request needs someone to answer (and the page says so)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from wangge.cases.models import Case
from wangge.notifications.models import OutboundMessage
from wangge.portal import presenters
from wangge.residents import personal_data
from wangge.residents.choices import DataRequestKind, DataRequestStatus
from wangge.residents.models import PersonalDataRequest, Resident, VerificationCode
from wangge.testing import file_case

pytestmark = pytest.mark.django_db

START, VERIFY, ME, REQUEST = "/r/mydata/", "/r/mydata/code/", "/r/mydata/me/", "/r/mydata/request/"
PHONE = "13812341234"


def codes() -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(template=personal_data.CODE_TEMPLATE).order_by("pk"))


@pytest.fixture
def anonymous(world):
    """Two anonymous reports from PHONE, one of another number; no resident anywhere."""
    mine = [file_case(world, reporter_anonymous=True, reporter_phone=PHONE, description=text)
            for text in ("楼道灯坏了好几天没人修", "小区门口垃圾堆了三天")]
    theirs = file_case(world, reporter_anonymous=True, reporter_phone="13912345678", description="邻居家门口堆放杂物")
    assert not Resident.objects.exists()
    return mine, theirs


def sign_in(client, phone=PHONE):
    assert client.post(START, {"phone": phone})["Location"] == VERIFY
    return client.post(VERIFY, {"code": codes()[-1].context["code"]})


def test_the_number_gets_a_code_and_the_page_shows_its_reports_without_making_a_resident(client, anonymous):
    mine, theirs = anonymous
    response = sign_in(client)
    assert response.status_code == 302 and response["Location"] == ME
    [sms] = codes()
    assert sms.to == PHONE
    html = client.get(ME).content.decode()
    for case in mine:
        assert case.number in html and case.tracking_token in html
        assert presenters.when(case.submitted_at) in html
    assert html.count("已提交，等待受理") == 2  # each report's status, in the words of its case page
    assert html.count('data-testid="mydata-report"') == 2 and "匿名" in html
    assert PHONE in html  # their own number, proven by the code
    assert "我们未保存您的姓名" in html  # what the office holds: the number on these reports, nothing more
    assert theirs.number not in html and "13912345678" not in html
    # Signing in made no resident, and the reports stay anonymous.
    assert not Resident.objects.exists()
    assert not Case.objects.filter(reporter__isnull=False).exists()


def test_a_wrong_code_counts_and_an_unknown_number_still_gets_none(client, anonymous):
    client.post(START, {"phone": PHONE})
    code = codes()[-1].context["code"]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert "还可以再试 4 次" in client.post(VERIFY, {"code": wrong}).content.decode()
    assert VerificationCode.objects.get().attempts == 1
    assert client.get(ME)["Location"] == START
    client.post(START, {"phone": "13700000000"})
    assert len(codes()) == 1


def test_sending_to_the_number_is_limited_as_for_a_resident(client, anonymous):
    for _ in range(3):
        client.post(START, {"phone": PHONE})
    response = client.post(START, {"phone": PHONE}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429 and len(codes()) == 3
    assert VerificationCode.objects.filter(used_at__isnull=True).count() == 1  # a new code retires the last


def test_a_correction_request_is_recorded_under_the_number_and_answered_as_any(client, world, anonymous):
    mine, _theirs = anonymous
    sign_in(client)
    html = client.get(ME).content.decode()
    assert "保留此号码" in html  # the page says a request keeps the number, before one is sent
    page = client.post(REQUEST, {"kind": DataRequestKind.CORRECT, "details": "第二条不是我报的"}, follow=True)
    text = page.content.decode()
    assert "已收到您的申请" in text and "待处理" in text
    [row] = PersonalDataRequest.objects.all()
    resident = row.resident
    assert resident.phone == PHONE and resident.name == "" and resident.phone_verified_at is not None
    assert not Case.objects.filter(reporter__isnull=False).exists()  # still anonymous reports
    personal_data.answer_data_request(data_request=row, actor=world.users["admin"], outcome=DataRequestStatus.DONE,
                                      reply="已核实并更正")
    html = client.get(ME).content.decode()
    assert "已核实并更正" in html and mine[0].number in html


def test_a_deletion_waits_while_a_report_is_open_then_takes_the_number_off_the_reports(client, world, anonymous):
    mine, theirs = anonymous
    sign_in(client)
    client.post(REQUEST, {"kind": DataRequestKind.DELETE, "details": "不再需要回访"})
    row = PersonalDataRequest.objects.get()
    answer = personal_data.answer_data_request(data_request=row, actor=world.users["admin"],
                                               outcome=DataRequestStatus.DONE)
    assert answer.request.status == DataRequestStatus.REFUSED and answer.open_business
    assert Case.objects.filter(reporter_phone=PHONE).count() == 2

    Case.objects.filter(pk__in=[c.pk for c in mine]).update(status="closed", closed_at=timezone.now())
    again = personal_data.create_data_request(resident=row.resident, kind=DataRequestKind.DELETE, details="再次申请")
    personal_data.answer_data_request(data_request=again, actor=world.users["admin"], outcome=DataRequestStatus.DONE)
    assert not Case.objects.filter(reporter_phone=PHONE).exists()
    assert Case.objects.filter(pk=theirs.pk, reporter_phone="13912345678").exists()
    assert not VerificationCode.objects.filter(phone=PHONE).exists()
    # Erased: the number opens nothing any more.
    client.post("/r/mydata/leave/")
    client.post(START, {"phone": PHONE})
    assert len(codes()) == 1  # the sign-in's code and no other


def test_staff_views_of_the_number_on_those_reports_are_listed(client, world, anonymous):
    from wangge.cases.actions.privacy import reveal_reporter

    mine, theirs = anonymous
    reveal_reporter(case=mine[0], actor=world.users["clerk"])
    reveal_reporter(case=theirs, actor=world.users["clerk"])
    sign_in(client)
    html = client.get(ME).content.decode()
    assert html.count('data-testid="mydata-view"') == 1
    assert "受理员" in html and f"办理您反映的问题 {mine[0].number}" in html
    assert world.users["clerk"].username not in html


def delete_hint(html: str) -> str:
    return html.split('data-testid="mydata-kind-delete"', 1)[1].split("</label>", 1)[0]


def views_hint(html: str) -> str:
    return html.split('data-testid="mydata-views"', 1)[1].split("</p>", 1)[0]


@pytest.mark.parametrize("language, name, number", [("zh-hans", "姓名", "电话"), ("en", "name", "phone number")])
def test_the_page_of_a_number_speaks_of_the_number_not_of_a_name(client, world, anonymous, settings,
                                                                 language, name, number):
    """Signed in by number only, with no name held (no resident; or, once a request was sent, a
    resident holding the number alone): deleting removes the number, and staff see the number —
    the page says so, not "your name"; a resident with a name still reads of their name."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    sign_in(client)
    for html in (client.get(ME).content.decode(),  # no resident
                 client.post(REQUEST, {"kind": DataRequestKind.CORRECT, "details": "第二条不是我报的"},
                             follow=True).content.decode()):  # a resident with the number alone
        assert number in delete_hint(html) and name not in delete_hint(html)
        assert number in views_hint(html) and name not in views_hint(html)
    assert Resident.objects.get().name == ""

    Resident.objects.update(name="张三")
    html = client.get(ME).content.decode()
    assert name in delete_hint(html) and name in views_hint(html)
