"""The callback end to end, as WeChat's servers drive it: real message XML in the official
format, signed, and (safe mode) AES-encrypted with wechatpy's own crypto."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from wangge.cases import actions as actions_on_cases
from wangge.cases.choices import Channel
from wangge.cases.models import Case
from wangge.intake.wechat import actions
from wangge.intake.wechat.choices import ConversationState, Datum, PhotoStatus
from wangge.intake.wechat.coords import distance_m, wgs84_to_gcj02
from wangge.intake.wechat.models import (
    WechatConversation,
    WechatMessage,
    WechatNonce,
    WechatPhoto,
)
from wangge.intake.wechat.protocol import sign
from wangge.notifications.models import OutboundMessage
from wangge.org import geo
from wangge.residents.models import WechatIdentity

from . import wx

pytestmark = pytest.mark.django_db


def gcj_point_in(world, grid):
    """Where WeChat says the resident is (GCJ-02) when they stand at the grid's centre."""
    return wgs84_to_gcj02(*world.point_in(grid))


def file_report(client, account, world, *, encrypted=True, openid=wx.OPENID):
    assert "位置" in wx.say(client, account, wx.text("小区门口井盖缺失，很危险", openid=openid), encrypted=encrypted)
    return wx.say(client, account, wx.location(*gcj_point_in(world, world.grids[0]), openid=openid), encrypted=encrypted)


# --- URL verification --------------------------------------------------------------------------


def test_url_verification_echoes_echostr(client, account):
    ts, nonce = str(int(time.time())), "4821379"
    params = {"signature": sign(wx.TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce, "echostr": "5837926159"}
    response = client.get(f"/wechat/{account.slug}/", params)
    assert response.status_code == 200 and response.content == b"5837926159"


@pytest.mark.parametrize("change", ["signature", "timestamp"])
def test_url_verification_refuses_a_bad_signature_or_an_old_timestamp(client, account, change):
    ts, nonce = str(int(time.time()) - (600 if change == "timestamp" else 0)), "4821379"
    signature = sign(wx.TOKEN, ts, nonce) if change == "timestamp" else sign("not-the-token", ts, nonce)
    response = client.get(f"/wechat/{account.slug}/", {"signature": signature, "timestamp": ts, "nonce": nonce,
                                                       "echostr": "5837926159"})
    assert response.status_code == 403 and b"5837926159" not in response.content


def test_an_unknown_or_disabled_account_is_not_found(client, account):
    assert wx.post(client, account, wx.text("你好"), encrypted=True).status_code == 200
    account.enabled = False
    account.save()
    assert wx.post(client, account, wx.text("你好"), encrypted=True).status_code == 404
    account.slug = "nobody"
    assert wx.post(client, account, wx.text("你好"), encrypted=True).status_code == 404


# --- The conversation --------------------------------------------------------------------------


def test_subscribe_gets_a_welcome_with_instructions(client, account):
    reply = wx.say(client, account, wx.event("subscribe"), encrypted=True)
    assert "欢迎关注东园社区" in reply and "查询" in reply and "位置" in reply


def test_text_then_location_files_a_case_and_replies_number_and_promised_time(client, account, world):
    assert wx.say(client, account, wx.event("subscribe"), encrypted=True)
    assert "在哪里" in wx.say(client, account, wx.text("小区门口井盖缺失，很危险"), encrypted=True)
    location = wx.location(*gcj_point_in(world, world.grids[0]))
    reply = wx.say(client, account, location, encrypted=True)

    case = Case.objects.get()
    due = timezone.localtime(case.resolve_due_at)
    assert case.number in reply and f"{due.month}月{due.day}日 {due.hour:02d}:{due.minute:02d}" in reply
    assert (case.channel, case.source, case.description) == (Channel.WECHAT, f"wechat:{wx.APP_ID}", "小区门口井盖缺失，很危险")
    assert case.external_id == WechatMessage.objects.get(msg_type="location").key  # the MsgId that filed it
    assert case.grid == world.grids[0] and case.address == "北京市西城区和平路1号"
    # The resident behind the OpenID is the reporter (so 「查询」 and the notices find them).
    assert WechatIdentity.objects.get(app_id=wx.APP_ID, openid=wx.OPENID).resident == case.reporter
    conversation = WechatConversation.objects.get()
    assert conversation.state == ConversationState.IDLE and conversation.description == ""


def test_a_voice_message_uses_the_recognition_text(client, account, world):
    assert "在哪里" in wx.say(client, account, wx.voice("楼道里堆满了杂物，堵住了消防通道"), encrypted=True)
    wx.say(client, account, wx.location(*gcj_point_in(world, world.grids[1])), encrypted=True)
    case = Case.objects.get()
    assert case.description == "楼道里堆满了杂物，堵住了消防通道" and case.grid == world.grids[1]


def test_a_voice_message_without_recognition_asks_for_text(client, account):
    assert "文字" in wx.say(client, account, wx.voice(""), encrypted=True)
    assert WechatConversation.objects.get().description == ""


def test_location_first_then_the_problem(client, account, world):
    assert "什么问题" in wx.say(client, account, wx.location(*gcj_point_in(world, world.grids[2])), encrypted=True)
    conversation = WechatConversation.objects.get()
    assert conversation.given_datum == Datum.GCJ02  # the datum it came in is kept with the point
    assert "已登记" in wx.say(client, account, wx.text("路灯不亮"), encrypted=True)
    assert Case.objects.get().grid == world.grids[2]


def test_an_address_in_words_files_to_the_accounts_community(client, account, world):
    wx.say(client, account, wx.text("垃圾桶满了没人清"), encrypted=True)
    reply = wx.say(client, account, wx.text("地址：和平路3号院"), encrypted=True)
    case = Case.objects.get()
    assert case.number in reply
    assert (case.address, case.community, case.grid) == ("和平路3号院", world.communities[0], None)


def test_a_location_outside_every_grid_is_asked_again_and_nothing_is_filed(client, account):
    wx.say(client, account, wx.text("井盖缺失"), encrypted=True)
    assert "不在本平台服务的网格" in wx.say(client, account, wx.location(121.4737, 31.2304), encrypted=True)
    assert not Case.objects.exists()
    assert WechatConversation.objects.get().longitude is None


def test_a_point_near_a_grid_edge_lands_in_the_right_grid(client, account, world):
    """40 m inside 东园第1网格 from its edge with 东园第2网格: the GCJ-02 point WeChat sends is
    ~540 m east, inside 第2网格 — only the conversion to WGS-84 files it in the right grid."""
    a1, a2 = world.grids[0], world.grids[1]
    edge_lng = a1.boundary["coordinates"][0][1][0]
    wgs = (edge_lng - 0.0005, world.point_in(a1)[1])
    gcj = wgs84_to_gcj02(*wgs)
    assert geo.find_grid(*gcj) == a2  # what using WeChat's numbers as they are would do
    wx.say(client, account, wx.text("人行道地砖松动"), encrypted=True)
    wx.say(client, account, wx.location(*gcj), encrypted=True)
    case = Case.objects.get()
    assert case.grid == a1
    assert distance_m(case.longitude, case.latitude, *wgs) < 0.5  # WeChat sends 6 decimals (~0.1 m)


def test_a_photo_is_attached_to_the_case(client, account, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the download task runs (stub fetcher)
        assert "照片已收到" in wx.say(client, account, wx.image("media_img_42"), encrypted=True)
    assert WechatPhoto.objects.get().status == PhotoStatus.FETCHED
    wx.say(client, account, wx.text("共享单车堆满人行道"), encrypted=True)
    wx.say(client, account, wx.location(*gcj_point_in(world, world.grids[0])), encrypted=True)
    case = Case.objects.get()
    attachment = case.attachments.get()
    assert attachment.content_type == "image/png"
    assert WechatPhoto.objects.get().status == PhotoStatus.ATTACHED


def test_a_report_waiting_for_its_photo_is_answered_later_by_customer_service_message(client, account, world):
    wx.say(client, account, wx.image("media_img_slow"), encrypted=True)  # the download has not run yet
    wx.say(client, account, wx.text("路面塌陷"), encrypted=True)
    reply = wx.say(client, account, wx.location(*gcj_point_in(world, world.grids[0])), encrypted=True)
    assert "稍后" in reply and not Case.objects.exists()
    assert WechatConversation.objects.get().state == ConversationState.FILING

    actions.fetch_photo(photo_id=WechatPhoto.objects.get().pk)  # what the worker does

    case = Case.objects.get()
    assert case.attachments.count() == 1
    late = OutboundMessage.objects.get(channel="wechat_custom")
    assert late.to == wx.OPENID and case.number in late.body and late.context["app_id"] == wx.APP_ID


def test_a_failed_photo_download_does_not_stop_the_report(client, account, world, settings):
    settings.WANGGE_WECHAT_MEDIA_FETCHER = "wangge.intake.wechat.tests.stubs.fetch_fails"
    wx.say(client, account, wx.image("media_img_gone"), encrypted=True)
    wx.say(client, account, wx.text("路面塌陷"), encrypted=True)
    wx.say(client, account, wx.location(*gcj_point_in(world, world.grids[0])), encrypted=True)
    actions.fetch_photo(photo_id=WechatPhoto.objects.get().pk)
    case = Case.objects.get()
    assert case.attachments.count() == 0
    assert WechatPhoto.objects.get().status == PhotoStatus.FAILED


def test_query_lists_the_senders_own_cases_and_one_by_number(client, account, world):
    assert "还没有" in wx.say(client, account, wx.text("查询"), encrypted=True)
    file_report(client, account, world)
    case = Case.objects.get()
    listing = wx.say(client, account, wx.text("查询"), encrypted=True)
    assert case.number in listing and "待受理" in listing
    assert case.number in wx.say(client, account, wx.text(f"查询 {case.number}"), encrypted=True)
    # Another resident cannot read it by its number.
    other = wx.say(client, account, wx.text(f"查询 {case.number}", openid="oOtherResident00000000000000"), encrypted=True)
    assert "没有编号为" in other and "井盖" not in other


def test_query_gives_the_link_to_a_finished_reports_page_instead_of_a_deadline(client, account, world):
    """A report refused before it was accepted got no notice: 「查询」 is where the resident learns of
    it, and its line links to the page that gives the reason (and, for an answer, the rating)."""
    file_report(client, account, world)
    case = actions_on_cases.reject_case(case=Case.objects.get(), actor=world.users["clerk"],
                                        reason="属于民事纠纷，请联系社区人民调解委员会")
    listing = wx.say(client, account, wx.text("查询"), encrypted=True)
    assert f"{case.number} 小区门口井盖缺失，很危险：不予受理\n" in listing and "期限" not in listing
    link = f"https://wangge.example.gov.cn/r/t/{case.tracking_token}/"
    assert f"详情：{link}" in listing
    page = client.get(link.removeprefix("https://wangge.example.gov.cn")).content.decode()
    assert "属于民事纠纷，请联系社区人民调解委员会" in page
    # An open report asked for by its number: its deadline, and its page too.
    file_report(client, account, world)
    other = Case.objects.exclude(pk=case.pk).get()
    one = wx.say(client, account, wx.text(f"查询 {other.number}"), encrypted=True)
    assert "待受理，期限" in one and f"详情：https://wangge.example.gov.cn/r/t/{other.tracking_token}/" in one


def test_query_cuts_a_long_title_with_an_ellipsis_and_takes_a_full_width_number(client, account, world):
    description = "小区东门口的井盖缺失已经三天了晚上很危险"
    wx.say(client, account, wx.text(description), encrypted=True)
    wx.say(client, account, wx.location(*gcj_point_in(world, world.grids[0])), encrypted=True)
    case = Case.objects.get()
    listing = wx.say(client, account, wx.text("查询"), encrypted=True)
    assert f"{case.number} 小区东门口的井盖缺失已…：" in listing and description not in listing
    # A Chinese input method in full-width mode: ＷＧ２０２６１１３０－０００１２ is the same number.
    full_width = case.number.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    one = wx.say(client, account, wx.text(f"查询　{full_width}"), encrypted=True)
    assert one.startswith(case.number) and "待受理" in one


def test_a_reply_is_kept_within_wechats_2048_bytes():
    from wangge.intake.wechat.protocol import MAX_REPLY_BYTES, fit_reply

    lines = [f"WG20261130-{i:05d} 小区门口路灯不亮已经…：待受理，期限 12/1 18:00" for i in range(40)]
    reply = fit_reply("\n".join(lines))
    assert len(reply.encode()) <= MAX_REPLY_BYTES == 2048
    shown = reply.split("\n")
    assert shown[-1] == "…" and shown[:-1] == lines[:len(shown) - 1] and len(shown) > 10  # whole lines, then …
    one_line = fit_reply("路" * 1000)
    assert len(one_line.encode()) <= 2048 and one_line.endswith("路…")
    assert fit_reply("短回复") == "短回复"


def test_menu_click_starts_a_report_and_cancel_discards_it(client, account):
    assert "描述" in wx.say(client, account, wx.event("CLICK", "REPORT"), encrypted=True)
    assert WechatConversation.objects.get().state == ConversationState.COLLECTING
    wx.say(client, account, wx.text("噪音扰民"), encrypted=True)
    assert "已放弃" in wx.say(client, account, wx.text("取消"), encrypted=True)
    conversation = WechatConversation.objects.get()
    assert (conversation.state, conversation.description) == (ConversationState.IDLE, "")


def test_an_unfinished_report_expires(client, account):
    wx.say(client, account, wx.text("井盖缺失"), encrypted=True)
    WechatConversation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    wx.say(client, account, wx.text("路灯坏了"), encrypted=True)
    assert WechatConversation.objects.get().description == "路灯坏了"


def test_unsupported_messages_get_a_polite_answer_and_unsubscribe_none(client, account):
    assert "文字、语音、图片或位置" in wx.say(client, account, wx.video(), encrypted=True)
    assert wx.say(client, account, wx.event("unsubscribe"), encrypted=True) == ""


def test_english_is_available(client, account, settings):
    settings.LANGUAGE_CODE = "en"
    assert "Welcome to 东园社区" in wx.say(client, account, wx.event("subscribe"), encrypted=True)


# --- Modes -------------------------------------------------------------------------------------


def test_plaintext_mode(client, plain_account, world):
    assert "在哪里" in wx.say(client, plain_account, wx.text("井盖缺失"))
    assert "已登记" in wx.say(client, plain_account, wx.location(*gcj_point_in(world, world.grids[2])))
    assert Case.objects.get().source == "wechat:wxplain000000000001"


def test_compatible_mode_takes_both_and_uses_the_encrypted_copy(client, compatible_account):
    assert "欢迎" in wx.say(client, compatible_account, wx.event("subscribe"), encrypted=True, compatible=True)
    assert "欢迎" in wx.say(client, compatible_account, wx.event("subscribe", openid="oPlainSender0000000000000000"))


# --- Retries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("same_request", [False, True])
def test_a_retried_message_files_one_case_and_gets_the_same_answer(client, account, world, same_request):
    """WeChat resends a message it got no answer to: the very same request, or (retries may come
    with a fresh signature) the same MsgId under a new nonce."""
    wx.say(client, account, wx.text("井盖缺失"), encrypted=True)
    location = wx.location(*gcj_point_in(world, world.grids[0]))
    first_request = wx.signed_request(location, encrypted=True)
    second_request = first_request if same_request else wx.signed_request(location, encrypted=True)
    first = wx.reply_text(_post_raw(client, account, *first_request), encrypted=True)
    again = wx.reply_text(_post_raw(client, account, *second_request), encrypted=True)
    assert first == again and Case.objects.get().number in again
    assert Case.objects.count() == 1 and WechatMessage.objects.filter(msg_type="location").count() == 1


def test_a_retried_event_is_recognised_by_sender_time_and_event(client, account):
    created = int(time.time())
    wx.say(client, account, wx.event("CLICK", "REPORT", create_time=created), encrypted=True)
    wx.say(client, account, wx.text("井盖缺失"), encrypted=True)
    wx.say(client, account, wx.event("CLICK", "REPORT", create_time=created), encrypted=True)  # a retry
    assert WechatConversation.objects.get().description == "井盖缺失"  # the retry did not restart it


# --- Refusals: a clean error, nothing stored ---------------------------------------------------


def assert_nothing_stored():
    assert not WechatMessage.objects.exists()
    assert not WechatNonce.objects.exists()
    assert not WechatConversation.objects.exists()
    assert not Case.objects.exists()


def _post_raw(client, account, params, body):
    return client.generic("POST", f"/wechat/{account.slug}/?" + "&".join(f"{k}={v}" for k, v in params.items()),
                          body, content_type="text/xml")


def test_refuses_a_bad_msg_signature_even_when_the_url_signature_is_good(client, account):
    params, body = wx.signed_request(wx.text("井盖缺失"), encrypted=True)
    params["msg_signature"] = sign("not-the-token", params["timestamp"], params["nonce"], "x")
    response = _post_raw(client, account, params, body)
    assert response.status_code == 403 and "签名" in response.content.decode()
    assert_nothing_stored()


def test_refuses_a_bad_signature_in_plaintext_mode(client, plain_account):
    params, body = wx.signed_request(wx.text("井盖缺失"), token="not-the-token")
    assert _post_raw(client, plain_account, params, body).status_code == 403
    assert_nothing_stored()
    # A stranger's body is not even read: a bad signature is a 403 before any XML is parsed.
    refused = _post_raw(client, plain_account, params, b"<xml><unclosed>")
    assert refused.status_code == 403 and "签名" in refused.content.decode()


@pytest.mark.parametrize("offset", [-301, 400])
def test_refuses_a_timestamp_outside_five_minutes(client, account, offset):
    response = wx.post(client, account, wx.text("井盖缺失"), encrypted=True, timestamp=int(time.time()) + offset)
    assert response.status_code == 403 and "5分钟" in response.content.decode()
    assert_nothing_stored()


def test_refuses_a_replayed_nonce_with_another_body(client, account):
    ts = int(time.time())
    wx.say(client, account, wx.text("第一条"), encrypted=True, timestamp=ts, nonce="555")
    response = wx.post(client, account, wx.text("第二条"), encrypted=True, timestamp=ts, nonce="555")
    assert response.status_code == 403 and "重放" in response.content.decode()
    assert WechatMessage.objects.count() == 1 and WechatConversation.objects.get().description == "第一条"


def test_refuses_plaintext_to_a_safe_mode_account(client, account):
    assert wx.post(client, account, wx.text("井盖缺失")).status_code == 400
    assert_nothing_stored()


def test_refuses_a_message_it_cannot_decrypt(client, account):
    params, body = wx.signed_request(wx.text("井盖缺失"), encrypted=True)
    garbage = "bm90IGEgcmVhbCBjaXBoZXJ0ZXh0IGF0IGFsbCEhISE="
    params["msg_signature"] = sign(wx.TOKEN, params["timestamp"], params["nonce"], garbage)
    body = f"<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[{garbage}]]></Encrypt></xml>".encode()
    assert _post_raw(client, account, params, body).status_code == 400
    assert_nothing_stored()


BOMB = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
        "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
        "<MsgType>text</MsgType><Content>&lol2;</Content><MsgId>1</MsgId></xml>")
EXTERNAL = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            "<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType><Content>&e;</Content><MsgId>1</MsgId></xml>")


@pytest.mark.parametrize("body, status", [
    (BOMB, 400), (EXTERNAL, 400), ("<xml><MsgType>text</MsgType>", 400), ("not xml at all", 400),
    ("<xml><MsgType>text</MsgType><Content>no sender</Content></xml>", 400),
    (wx.text("井盖缺失", openid="o" * 65), 400),
    ("<xml><Content>" + "井" * 12000 + "</Content></xml>", 413),
])
def test_refuses_hostile_or_malformed_xml(client, plain_account, body, status):
    params, raw = wx.signed_request(body)
    response = _post_raw(client, plain_account, params, raw)
    assert response.status_code == status and response["Content-Type"].startswith("text/plain")
    assert_nothing_stored()
