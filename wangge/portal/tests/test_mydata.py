"""我的个人信息 (PIPL self-service): the phone is proven by an SMS code from the outbox; the page
shows this resident's data only; 更正 / 删除 requests are recorded once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from wangge.cases.models import Case
from wangge.notifications.models import OutboundMessage
from wangge.residents import personal_data, services
from wangge.residents.choices import DataRequestKind, DataRequestStatus
from wangge.residents.models import PersonalDataRequest, Resident, SelfAccessLog, VerificationCode
from wangge.testing import file_case

pytestmark = pytest.mark.django_db

START, VERIFY, ME, REQUEST, LEAVE = "/r/mydata/", "/r/mydata/code/", "/r/mydata/me/", "/r/mydata/request/", "/r/mydata/leave/"
PHONE = "13812341234"  # file_case's reporter
SAME_ANSWER = "如该号码在本平台有记录"


def codes() -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(template=personal_data.CODE_TEMPLATE).order_by("pk"))


def last_code() -> str:
    return codes()[-1].context["code"]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


@pytest.fixture
def reporter(world):
    case = file_case(world)
    return case.reporter, case


def sign_in(client, phone=PHONE):
    response = client.post(START, {"phone": phone})
    assert response.status_code == 302 and response["Location"] == VERIFY
    return client.post(VERIFY, {"code": last_code()})


# --- the code ---------------------------------------------------------------------------------


def test_the_footer_links_the_page_and_it_asks_for_the_phone(client, world):
    assert 'href="/r/mydata/"' in client.get("/r/report/").content.decode()
    html = client.get(START).content.decode()
    assert "我的个人信息" in html and 'name="phone"' in html and "个人信息保护法" in html


def test_right_code_shows_the_data_and_the_phone_never_goes_in_a_url(client, reporter):
    resident, case = reporter
    first = client.post(START, {"phone": "138 1234 1234"})
    assert first.status_code == 302 and PHONE not in first["Location"]
    page = client.get(VERIFY).content.decode()
    assert SAME_ANSWER in page and "138****1234" in page and PHONE not in page
    [sms] = codes()
    assert sms.to == PHONE and sms.status in ("pending", "sent") and re.fullmatch(r"\d{6}", sms.context["code"])
    assert sms.context["code"] in sms.body
    # Stored hashed: the code itself is nowhere in its row.
    row = VerificationCode.objects.get()
    assert sms.context["code"] not in row.code_hash

    response = client.post(VERIFY, {"code": sms.context["code"]})
    assert response.status_code == 302 and response["Location"] == ME
    html = client.get(ME).content.decode()
    assert "张三" in html and PHONE in html and case.number in html and case.tracking_token in html
    assert SelfAccessLog.objects.filter(resident=resident).count() == 1
    resident.refresh_from_db()
    assert resident.phone_verified_at is not None
    # No address the resident went through holds the number.
    for url in (START, VERIFY, ME, first["Location"], response["Location"]):
        assert PHONE not in url


def test_wrong_code_says_so_and_changes_nothing(client, reporter):
    client.post(START, {"phone": PHONE})
    response = client.post(VERIFY, {"code": wrong(last_code())})
    html = response.content.decode()
    assert response.status_code == 200 and "验证码不正确" in html and "还可以再试 4 次" in html
    assert client.get(ME)["Location"] == START  # not signed in
    assert SelfAccessLog.objects.count() == 0 and Resident.objects.get().phone_verified_at is None


def test_expired_code(client, reporter):
    client.post(START, {"phone": PHONE})
    VerificationCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post(VERIFY, {"code": last_code()})
    assert "验证码已过期" in response.content.decode()
    assert client.get(ME).status_code == 302


def test_attempts_exhausted_even_the_right_code_no_longer_works(client, reporter):
    client.post(START, {"phone": PHONE})
    code = last_code()
    for _ in range(personal_data.CODE_ATTEMPTS - 1):
        client.post(VERIFY, {"code": wrong(code)})
    last = client.post(VERIFY, {"code": wrong(code)}).content.decode()
    assert "错误次数过多" in last
    assert "错误次数过多" in client.post(VERIFY, {"code": code}).content.decode()
    assert client.get(ME).status_code == 302


def test_a_new_code_replaces_the_old_one(client, reporter):
    client.post(START, {"phone": PHONE})
    old = last_code()
    client.post(START, {"phone": PHONE})
    assert VerificationCode.objects.filter(used_at__isnull=True).count() == 1  # the old one is retired
    if last_code() != old:
        assert "验证码不正确" in client.post(VERIFY, {"code": old}).content.decode()
    assert client.post(VERIFY, {"code": last_code()})["Location"] == ME


def test_an_unknown_number_gets_the_same_answer_and_no_text(client, reporter):
    known = client.post(START, {"phone": PHONE})
    known_page = client.get(VERIFY).content.decode()
    other = client.post(START, {"phone": "13900000000"})
    assert other.status_code == known.status_code == 302 and other["Location"] == known["Location"]
    other_page = client.get(VERIFY).content.decode()
    strip = lambda html: re.sub(r'value="[A-Za-z0-9]{64}"|139\*\*\*\*0000|138\*\*\*\*1234', "", html)  # noqa: E731
    assert strip(other_page) == strip(known_page)
    assert len(codes()) == 1  # only the known number got a text
    # Its "code" fails like a wrong one, then is used up.
    for n in range(personal_data.CODE_ATTEMPTS - 1, 0, -1):
        assert f"还可以再试 {n} 次" in client.post(VERIFY, {"code": "123456"}).content.decode()
    assert "错误次数过多" in client.post(VERIFY, {"code": "123456"}).content.decode()


def test_an_erased_resident_gets_no_code(client, reporter, world):
    resident, case = reporter
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now())
    services.anonymise_resident(resident=resident, reason="test")
    assert client.post(START, {"phone": PHONE}).status_code == 302
    assert codes() == []


def test_sending_is_limited_per_number(client, reporter):
    for _ in range(3):
        assert client.post(START, {"phone": PHONE}).status_code == 302
    response = client.post(START, {"phone": PHONE}, REMOTE_ADDR="10.9.9.9")  # another address: same number
    assert response.status_code == 429 and "尝试次数过多" in response.content.decode()
    assert len(codes()) == 3


def test_sending_is_limited_per_address(client, reporter):
    for n in range(10):
        assert client.post(START, {"phone": f"139000000{n:02d}"}).status_code == 302
    response = client.post(START, {"phone": PHONE})
    assert response.status_code == 429 and codes() == []


def test_checking_is_limited_per_address(client, reporter):
    client.post(START, {"phone": PHONE})
    code = last_code()
    for _ in range(30):
        client.post(VERIFY, {"code": "12345x"})  # not even 6 digits: no try of the code used
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 429 and client.get(ME).status_code == 302


def test_the_session_mark_runs_out(client, reporter, monkeypatch):
    sign_in(client)
    assert client.get(ME).status_code == 200
    from wangge.portal import mydata

    later = mydata._now() + mydata.SESSION_MINUTES * 60 + 1
    monkeypatch.setattr(mydata, "_now", lambda: later)
    assert client.get(ME)["Location"] == START


def test_leave_ends_it(client, reporter):
    sign_in(client)
    client.post(LEAVE)
    assert client.get(ME)["Location"] == START


# --- the page ---------------------------------------------------------------------------------


def test_the_page_shows_only_this_residents_data(client, world):
    mine = file_case(world, description="我家楼下的路灯坏了好几天了", reporter_phone=PHONE, reporter_name="张三")
    theirs = file_case(world, description="邻居家门口堆放杂物很多", reporter_phone="13912345678", reporter_name="李四")
    other = theirs.reporter
    from wangge.residents.services import reveal_resident

    reveal_resident(resident=other, actor=world.users["clerk"], purpose=f"case {theirs.number}", allowed=True)
    reveal_resident(resident=mine.reporter, actor=world.users["clerk"], purpose=f"case {mine.number}", allowed=True)
    sign_in(client)
    html = client.get(ME).content.decode()
    assert mine.number in html and mine.tracking_token in html
    assert theirs.number not in html and theirs.tracking_token not in html
    assert "李四" not in html and "13912345678" not in html
    assert html.count('data-testid="mydata-view"') == 1


def test_staff_views_show_post_and_unit_not_the_name(client, world, reporter):
    resident, case = reporter
    clerk = world.users["clerk"]
    services.reveal_resident(resident=resident, actor=clerk, purpose=f"case {case.number}", allowed=True)
    with pytest.raises(Exception):  # a refused attempt saw nothing: not listed as a view
        services.reveal_resident(resident=resident, actor=world.users["worker_a1"], purpose="x", allowed=False)
    sign_in(client)
    html = client.get(ME).content.decode()
    assert html.count('data-testid="mydata-view"') == 1
    assert "受理员" in html and f"办理您反映的问题 {case.number}" in html
    assert clerk.username not in html and str(clerk) not in html


# --- requests ---------------------------------------------------------------------------------


def test_a_correction_request_is_recorded_once(client, reporter):
    resident, _case = reporter
    sign_in(client)
    data = {"kind": DataRequestKind.CORRECT, "details": "名字应为张叁"}
    response = client.post(REQUEST, data, follow=True)
    html = response.content.decode()
    assert "已收到您的申请" in html and "15 天内" in html and "待处理" in html
    again = client.post(REQUEST, data, follow=True).content.decode()
    assert "您已有一份同类申请正在处理" in again
    assert PersonalDataRequest.objects.filter(resident=resident).count() == 1
    # A deletion is another kind: it may wait beside it.
    client.post(REQUEST, {"kind": DataRequestKind.DELETE, "details": "不再需要"})
    assert PersonalDataRequest.objects.filter(resident=resident, status=DataRequestStatus.PENDING).count() == 2


def test_a_request_needs_details_and_a_session(client, reporter):
    assert client.post(REQUEST, {"kind": DataRequestKind.CORRECT, "details": "x"})["Location"] == START
    sign_in(client)
    response = client.post(REQUEST, {"kind": DataRequestKind.CORRECT, "details": ""})
    assert "请说明" in response.content.decode()
    assert PersonalDataRequest.objects.count() == 0


def test_the_answer_shows_on_the_page(client, world, reporter):
    resident, _case = reporter
    row = personal_data.create_data_request(resident=resident, kind=DataRequestKind.CORRECT, details="名字写错了")
    personal_data.answer_data_request(data_request=row, actor=world.users["admin"], outcome=DataRequestStatus.DONE,
                                      reply="已更正为张叁")
    sign_in(client)
    html = client.get(ME).content.decode()
    assert "已办理" in html and "已更正为张叁" in html


def test_the_page_in_english(client, reporter):
    client.post("/i18n/setlang/", {"language": "en", "next": START})
    html = client.get(START).content.decode()
    assert "My personal data" in html and "Send me a code" in html


def test_the_household_and_wechat_binding_are_shown(client, reporter):
    resident, _case = reporter
    services.household_of(resident=resident, room="3单元301")
    linked = services.resident_for_wechat(app_id="wx-portal", openid="oAbCdEf-1234567890")
    services.link_phone(resident=linked, phone=PHONE, verified=True)
    sign_in(client)
    html = client.get(ME).content.decode()
    assert "3单元301" in html and "oAbC…7890" in html and "oAbCdEf-1234567890" not in html
