"""The callback protocol of an official account (消息接口): signatures, time window, the XML
and its AES envelope. Pure functions over the request's parts; nothing here writes.

wechatpy gives the message classes, the reply rendering and the AES cipher; the signature check
and the XML parsing are done here instead of through its helpers, because those compare the
signature with ``!=`` (not in constant time) and parse with xmltodict over expat (no cap, no
refusal of DTDs and entities). Here: ``hmac.compare_digest`` and defusedxml with a size cap.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.utils.translation import gettext_lazy as _
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.events import EVENT_TYPES
from wechatpy.messages import MESSAGE_TYPES, UnknownMessage
from wechatpy.replies import TextReply

# WeChat's messages are small (a text is at most 2,048 bytes); anything much larger is not theirs.
MAX_BODY_BYTES = 32 * 1024
# A passive text reply longer than this is not shown by WeChat at all: cut, never lost whole.
MAX_REPLY_BYTES = 2048
# A signed request is good for five minutes either way of our clock.
TIMESTAMP_WINDOW_SECONDS = 300


@dataclass
class Refused(Exception):
    """A request refused before anything is stored: HTTP ``status`` and a short reason."""

    status: int
    reason: object
    code: str

    def __str__(self) -> str:
        return f"{self.code}: {self.reason}"


def sign(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the parts sorted and joined."""
    return hashlib.sha1("".join(sorted(str(p) for p in parts)).encode()).hexdigest()


def check_signature(given: str | None, *parts: str) -> None:
    if not given or not hmac.compare_digest(sign(*parts).encode(), given.strip().lower().encode()):
        raise Refused(403, _("Bad signature."), "signature")


def check_timestamp(timestamp: str | None, *, now: float | None = None) -> int:
    try:
        value = int(timestamp or "")
    except ValueError:
        raise Refused(400, _("Missing or malformed timestamp."), "timestamp") from None
    if abs((now if now is not None else time.time()) - value) > TIMESTAMP_WINDOW_SECONDS:
        raise Refused(403, _("The timestamp is outside the five-minute window."), "timestamp")
    return value


def parse_xml(body: bytes | str) -> dict:
    """The ``<xml>`` document as a dict of its children's text (a nested element: a dict of its
    own). DTDs, entities and external references are refused; so is a body over the cap."""
    raw = body.encode() if isinstance(body, str) else body
    if len(raw) > MAX_BODY_BYTES:
        raise Refused(413, _("The message is too large."), "too_large")
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError):
        raise Refused(400, _("The message is not well-formed XML."), "xml") from None
    if root.tag != "xml":
        raise Refused(400, _("The message is not well-formed XML."), "xml")
    return {child.tag: ({c.tag: (c.text or "") for c in child} if len(child) else (child.text or ""))
            for child in root}


def message_from(fields: dict):
    """A wechatpy message or event from the parsed fields (as ``wechatpy.parse_message`` does)."""
    message_type = str(fields.get("MsgType") or "").lower()
    sender = fields.get("FromUserName")
    if not message_type or not sender or not isinstance(sender, str):
        raise Refused(400, _("The message lacks its type or sender."), "xml")
    if len(sender) > 64 or len(message_type) > 32:  # an OpenID is 28 characters
        raise Refused(400, _("The message is not well-formed XML."), "xml")
    if message_type == "event":
        event = str(fields.get("Event") or "").lower()
        key = str(fields.get("EventKey") or "")
        if event == "subscribe" and key.startswith("qrscene_"):
            event, fields = "subscribe_scan", {**fields, "Event": "subscribe_scan", "EventKey": key[8:]}
        return EVENT_TYPES.get(event, UnknownMessage)(fields)
    return MESSAGE_TYPES.get(message_type, UnknownMessage)(fields)


def message_key(message) -> str:
    """The message's identity: its MsgId, or for an event (which has none) sender + CreateTime +
    event — what WeChat's documentation tells to dedupe retries on."""
    msg_id = message._data.get("MsgId")
    if msg_id:
        return str(msg_id)[:100]
    return f"{message.source}:{message._data.get('CreateTime', '')}:{message._data.get('Event', '')}"[:100]


def decrypt(*, token: str, aes_key: str, app_id: str, encrypted: str) -> str:
    """The inner XML of a safe-mode message (the caller has checked ``msg_signature``)."""
    try:
        key = WeChatCrypto(token, aes_key, app_id).key
        return PrpCrypto(key).decrypt(encrypted, app_id)
    except Exception:  # noqa: BLE001 — padding, base64, wrong app id: all mean "not for us"
        raise Refused(400, _("The message could not be decrypted."), "decrypt") from None


def render_reply(*, message, text: str, encrypt_with: tuple[str, str, str] | None, nonce: str,
                 timestamp: str) -> str:
    """The passive reply XML (encrypted when ``encrypt_with`` = (token, aes key, app id)), or
    ``"success"`` — WeChat's "nothing to say" — when ``text`` is empty."""
    if not text:
        return "success"
    xml = TextReply(message=message, content=fit_reply(text)).render()
    if encrypt_with is None:
        return xml
    token, aes_key, app_id = encrypt_with
    return WeChatCrypto(token, aes_key, app_id).encrypt_message(xml, nonce, timestamp)


def fit_reply(text: str, limit: int = MAX_REPLY_BYTES) -> str:
    """``text`` within ``limit`` UTF-8 bytes (a Chinese character is 3): whole lines kept while
    they fit, then "…" — a reply over WeChat's limit would not reach the resident at all."""
    if len(text.encode()) <= limit:
        return text
    lines = text.split("\n")
    kept: list[str] = []
    for line in lines:
        if len("\n".join([*kept, line, "…"]).encode()) > limit:
            break
        kept.append(line)
    if not kept:  # the first line alone is too long: cut it by characters
        return lines[0].encode()[:limit - len("…".encode())].decode(errors="ignore") + "…"
    return "\n".join([*kept, "…"])


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()
