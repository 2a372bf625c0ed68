"""A stand-in for WeChat's servers: messages in the official XML format, signed (and encrypted)
as the callback receives them, and the passive reply read back."""

from __future__ import annotations

import itertools
import time
from xml.etree import ElementTree

from wechatpy.crypto import WeChatCrypto

from wangge.intake.wechat.protocol import sign

TOKEN = "wanggetoken2026"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as the console gives
APP_ID = "wx1234567890abcdef"
ACCOUNT_ID = "gh_7f083739789a"
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"

_ids = itertools.count(6_000_000_000_000_000_001)
_nonces = itertools.count(1_000_001)


def _xml(openid: str, msg_type: str, body: str, *, msg_id: int | None = None, create_time: int | None = None) -> str:
    created = create_time or int(time.time())
    msg = f"<MsgId>{msg_id or next(_ids)}</MsgId>" if msg_type != "event" else ""
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT_ID}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{created}</CreateTime>"
            f"<MsgType><![CDATA[{msg_type}]]></MsgType>{body}{msg}</xml>")


def text(content: str, *, openid: str = OPENID, msg_id: int | None = None) -> str:
    return _xml(openid, "text", f"<Content><![CDATA[{content}]]></Content>", msg_id=msg_id)


def voice(recognition: str, *, openid: str = OPENID) -> str:
    return _xml(openid, "voice", "<MediaId><![CDATA[media_voice_1]]></MediaId><Format><![CDATA[amr]]></Format>"
                                 f"<Recognition><![CDATA[{recognition}]]></Recognition>")


def location(lng: float, lat: float, *, label: str = "北京市西城区和平路1号", openid: str = OPENID) -> str:
    """A location message (GCJ-02, as WeChat sends it: Location_X is the latitude)."""
    return _xml(openid, "location", f"<Location_X>{lat:.6f}</Location_X><Location_Y>{lng:.6f}</Location_Y>"
                                    f"<Scale>16</Scale><Label><![CDATA[{label}]]></Label>")


def image(media_id: str = "media_img_1", *, openid: str = OPENID) -> str:
    return _xml(openid, "image", f"<PicUrl><![CDATA[http://mmbiz.qpic.cn/{media_id}]]></PicUrl>"
                                 f"<MediaId><![CDATA[{media_id}]]></MediaId>")


def event(name: str, key: str = "", *, openid: str = OPENID, create_time: int | None = None) -> str:
    return _xml(openid, "event", f"<Event><![CDATA[{name}]]></Event><EventKey><![CDATA[{key}]]></EventKey>",
                create_time=create_time)


def video(*, openid: str = OPENID) -> str:
    return _xml(openid, "video", "<MediaId><![CDATA[v1]]></MediaId><ThumbMediaId><![CDATA[t1]]></ThumbMediaId>")


def signed_request(xml: str, *, encrypted: bool = False, compatible: bool = False, timestamp: int | None = None,
                   nonce: str | None = None, token: str = TOKEN, app_id: str = APP_ID) -> tuple[dict, bytes]:
    """The query string and body WeChat's server would POST."""
    ts = str(timestamp or int(time.time()))
    nonce = nonce or str(next(_nonces))
    params = {"timestamp": ts, "nonce": nonce, "signature": sign(token, ts, nonce), "openid": OPENID}
    if not encrypted:
        return params, xml.encode()
    envelope = WeChatCrypto(token, AES_KEY, app_id).encrypt_message(xml, nonce, ts)
    fields = {child.tag: child.text for child in ElementTree.fromstring(envelope)}
    params.update(encrypt_type="aes", msg_signature=fields["MsgSignature"])
    inner = xml[len("<xml>"):-len("</xml>")] if compatible else f"<ToUserName><![CDATA[{ACCOUNT_ID}]]></ToUserName>"
    return params, f"<xml>{inner}<Encrypt><![CDATA[{fields['Encrypt']}]]></Encrypt></xml>".encode()


def post(client, account, xml: str, **options):
    params, body = signed_request(xml, app_id=account.app_id, **options)
    return client.generic("POST", f"/wechat/{account.slug}/?" + "&".join(f"{k}={v}" for k, v in params.items()),
                          body, content_type="text/xml")


def reply_text(response, *, encrypted: bool = False, app_id: str = APP_ID) -> str:
    """The text of the passive reply ("" for WeChat's "success")."""
    assert response.status_code == 200, response.content
    body = response.content.decode()
    if body == "success":
        return ""
    fields = {child.tag: child.text for child in ElementTree.fromstring(body)}
    if encrypted:
        plain = WeChatCrypto(TOKEN, AES_KEY, app_id).decrypt_message(
            body, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"])
        fields = {child.tag: child.text for child in ElementTree.fromstring(plain)}
    assert fields["MsgType"] == "text"
    assert fields["FromUserName"] == ACCOUNT_ID
    return fields["Content"]


def say(client, account, xml: str, **options) -> str:
    return reply_text(post(client, account, xml, **options), encrypted=options.get("encrypted", False),
                      app_id=account.app_id)
