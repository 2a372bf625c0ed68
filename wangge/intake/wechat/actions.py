"""The writes of the WeChat channel: one message in, one answer out (对话受理).

``receive_message`` is the one action the callback calls. In one transaction it records the
message once (a retry of the same MsgId finds the first row and gets the same answer — the
unique constraint decides, also between concurrent deliveries), locks the sender's conversation,
moves it on and, once the report has a description and a place, files the case through
``cases.actions.create_case`` (idempotent on source + MsgId as well). Photos are downloaded in
the background; a report waiting for one is filed by ``file_when_photos_ready`` and its number
goes to the resident as a customer-service message through the outbox.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.cases import selectors as case_selectors
from wangge.cases.actions import create_case
from wangge.cases.choices import CaseStatus, Channel
from wangge.core.actors import Actor
from wangge.core.errors import DomainError
from wangge.intake.duplicates.selectors import surviving_case
from wangge.notifications.outbox import queue_message
from wangge.org import geo
from wangge.residents.masking import half_width
from wangge.residents.models import WechatIdentity
from wangge.residents.services import resident_for_wechat

from . import coords, media
from .choices import ConversationState, Datum, PhotoStatus
from .models import (
    WechatAccount,
    WechatConversation,
    WechatMessage,
    WechatNonce,
    WechatPhoto,
)
from .protocol import Refused, message_key

log = logging.getLogger("wangge.intake.wechat")

OUTBOX_CUSTOM = "wechat_custom"  # 客服消息: the outbox channel of late answers
TEMPLATE_LATE_REPLY = "wechat_reply"
DRAFT_MINUTES = 30
NONCE_KEEP_SECONDS = 600
MAX_PHOTOS = 6
QUERY = re.compile(r"^(?:查询|查詢|query)\s*(?P<number>WG[\w-]+)?\s*$", re.IGNORECASE)
START_WORDS = {"反映", "我要反映", "报事", "我要报事", "report"}
CANCEL_WORDS = {"取消", "cancel"}
ADDRESS = re.compile(r"^(?:地址|address)[\s:：]*(?P<address>.+)$", re.IGNORECASE | re.DOTALL)
# Chat etiquette (寒暄): greetings, thanks and "OK"s are answered, never taken as the words of a
# problem — a "你好" followed by the location filed a case reading "你好", and a "谢谢" after the
# number started a new report and asked where the problem was. A message made only of these
# words (and punctuation or emoji) is one; anything else a resident says is their problem.
GREETING_WORDS = ("你们好", "大家好", "你好", "您好", "在吗", "在么", "在不在", "有人吗", "有人在吗", "哈喽", "嗨",
                  "hello", "hi")
THANKS_WORDS = ("非常感谢", "谢谢你们", "谢谢你", "谢谢您", "谢谢", "多谢", "感谢", "谢了", "辛苦了", "好的", "好吧", "好",
                "行", "知道了", "明白了", "收到", "thankyou", "thanks", "okay", "ok", "嗯", "哦", "噢", "哈", "啊", "呀", "呢",
                "了")
PLEASANTRY = re.compile("(?:" + "|".join(map(re.escape, GREETING_WORDS + THANKS_WORDS)) + ")*")
GREETING = re.compile("|".join(map(re.escape, GREETING_WORDS)))
THANKS = re.compile("|".join(map(re.escape, THANKS_WORDS)))
# A rating typed (or said) into the chat — the "handled" notice asks for one — is never the words
# of a new problem: it is answered with the rating card of the resident's latest answer still to
# rate. It rates only there, where 不满意 (which reopens the case) asks what is wrong.
RATING_WORDS = {"满意", "非常满意", "很满意", "比较满意", "基本满意", "一般", "不满意", "不太满意", "很不满意",
                "非常不满意", "satisfied", "basicallysatisfied", "notsatisfied", "unsatisfied", "dissatisfied"}
MENU_REPORT = {"REPORT", "WG_REPORT"}
MENU_QUERY = {"QUERY", "WG_QUERY"}


def draft_minutes() -> int:
    return int(getattr(settings, "WANGGE_WECHAT_DRAFT_MINUTES", DRAFT_MINUTES))


# ---------------------------------------------------------------------------------------------
# The callback's action
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def receive_message(*, account: WechatAccount, message, nonce: str, digest: str) -> str:
    """Record ``message`` once, act on it, return the answer text ("" — nothing to say).

    ``nonce`` / ``digest``: the request's nonce and body hash. A nonce seen before with another
    body is a replay and refused (``Refused``, nothing stored); the same body is WeChat's retry."""
    now = timezone.now()
    _remember_nonce(account, nonce, digest, now)
    key = message_key(message)
    try:
        with transaction.atomic():
            record = WechatMessage.objects.create(account=account, key=key, openid=message.source,
                                                  msg_type=message.type, received_at=now)
    except IntegrityError:
        # The same message again (WeChat's retry, perhaps while the first was still running —
        # the insert waited for it): the answer the first delivery gave.
        earlier = WechatMessage.objects.get(account=account, key=key)
        return earlier.reply
    conversation = _conversation(account, message.source, now)
    reply, case = _dispatch(account, conversation, message, key, now)
    record.reply, record.case = reply, case
    record.save(update_fields=["reply", "case"])
    return reply


def _remember_nonce(account, nonce: str, digest: str, now) -> None:
    nonce = (nonce or "")[:64]
    if not nonce:
        raise Refused(400, _("Missing nonce."), "nonce")
    try:
        with transaction.atomic():
            WechatNonce.objects.create(account=account, nonce=nonce, body_digest=digest, seen_at=now)
    except IntegrityError:
        seen = WechatNonce.objects.filter(account=account, nonce=nonce).first()
        if seen is None or seen.body_digest != digest:
            raise Refused(403, _("This request was seen before (replayed nonce)."), "replay") from None
    # Nonces past the time window can never come back valid: forget them.
    WechatNonce.objects.filter(account=account, seen_at__lt=now - dt.timedelta(seconds=NONCE_KEEP_SECONDS)).delete()


def _conversation(account, openid: str, now) -> WechatConversation:
    conversation, _created = WechatConversation.objects.get_or_create(account=account, openid=openid)
    conversation = WechatConversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.expires_at and conversation.expires_at < now and conversation.state == ConversationState.COLLECTING:
        _reset(conversation)
    return conversation


def _dispatch(account, conversation, message, key: str, now):
    """The answer to one message, and the case it filed (if it did)."""
    kind = message.type
    if kind == "event":
        return _on_event(account, conversation, message, key, now)
    if conversation.state == ConversationState.FILING:
        if conversation.expires_at and conversation.expires_at < now:
            return _file(account, conversation, conversation.filing_key, now)  # the photos never came
        return _("We are still filing your report; its number follows in a moment."), None
    if kind == "text":
        return _on_text(account, conversation, (message.content or "").strip(), key, now)
    if kind == "voice":
        text = (message.recognition or "").strip()
        if not text:
            return _("Sorry, the voice message could not be recognised. Please describe the problem in text."), None
        return _rating_reply(account, conversation, text) or _add_description(account, conversation, text, key, now)
    if kind == "location":
        return _on_location(account, conversation, message, key, now)
    if kind == "image":
        return _on_image(account, conversation, message, key, now)
    return _("Please send text, a voice message, a photo or a location."), None


def _on_event(account, conversation, message, key, now):
    event = message.event
    if event in ("subscribe", "subscribe_scan"):
        return welcome(account), None
    if event == "unsubscribe":
        _reset(conversation)
        conversation.save()
        return "", None
    if event == "click":
        if message.key in MENU_REPORT:
            return _start(conversation, now), None
        if message.key in MENU_QUERY:
            return _query(account, message.source, None), None
    return "", None


def welcome(account) -> str:
    return _("Welcome to %(name)s. To report a problem, describe it in text or a voice message, "
             "then send its location (+ → Location); a photo helps. Reply 「查询」 to see how your "
             "reports are going.") % {"name": account.name}


def _on_text(account, conversation, text: str, key, now):
    if not text:
        return _ask(conversation), None
    match = QUERY.match(half_width(text))  # 查询 ＷＧ２０２６… typed in full width is the same number
    if match:
        return _query(account, conversation.openid, match.group("number")), None
    if text.lower() in CANCEL_WORDS:
        _reset(conversation)
        conversation.save()
        return _("Your unfinished report has been discarded."), None
    if text.lower() in START_WORDS:
        return _start(conversation, now), None
    rating = _rating_reply(account, conversation, text)
    if rating:
        return rating
    if is_pleasantry(text):
        return _answer_pleasantry(account, conversation, text), None
    match = ADDRESS.match(text)
    if match:
        conversation.address = match.group("address").strip()[:200]
        return _advance(account, conversation, key, now)
    return _add_description(account, conversation, text, key, now)


def _bare_words(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())  # spaces, punctuation and emoji say nothing here


def is_pleasantry(text: str) -> bool:
    """A greeting, a thank-you or an acknowledgement, and nothing else (see ``PLEASANTRY``)."""
    return PLEASANTRY.fullmatch(_bare_words(text)) is not None


def _answer_pleasantry(account, conversation, text: str) -> str:
    """A report under way is reminded of what it still needs; otherwise a thank-you gets a short
    answer and anything else (a greeting) the welcome, which says how to report. Nothing is stored."""
    if conversation.state == ConversationState.COLLECTING and (conversation.description or conversation.has_place):
        return _ask(conversation)
    words = _bare_words(text)
    if GREETING.search(words) or not THANKS.search(words):  # a greeting, or only a "？" or an emoji
        return welcome(account)
    return _("You are welcome. To report another problem, just describe it in text or a voice message; "
             "reply 「查询」 to see how your reports are going.")


def _rating_reply(account, conversation, text: str) -> tuple[str, None] | None:
    """满意 / 基本满意 / 不满意 … sent while one of the resident's cases waits for its rating: the
    reply with that case's rating link (the latest answer first). None otherwise: the words are
    what the resident has to say, as any others."""
    if _bare_words(text) not in RATING_WORDS:
        return None
    identity = WechatIdentity.objects.filter(app_id=account.app_id, openid=conversation.openid).first()
    resident = identity.resident if identity is not None else None  # not created by asking
    waiting = [case for case in case_selectors.cases_of_resident(resident).filter(status=CaseStatus.RESOLVED)
               .order_by("-resolved_at", "-pk")[:5] if not case.answer_rated]
    if not waiting:
        return None
    case = waiting[0]
    return _("To rate the answer to %(number)s, open it and choose there (if you are not satisfied, say what "
             "is wrong and it will be handled again): %(url)s") % {"number": case.number,
                                                                   "url": tracking_url(case) + "#rate"}, None


def _start(conversation, now) -> str:
    _reset(conversation)
    conversation.state = ConversationState.COLLECTING
    conversation.expires_at = now + dt.timedelta(minutes=draft_minutes())
    conversation.save()
    return _("Please describe the problem in text or a voice message.")


def _add_description(account, conversation, text, key, now):
    description = f"{conversation.description}\n{text}" if conversation.description else text
    conversation.description = description[:5000]
    return _advance(account, conversation, key, now)


def _on_location(account, conversation, message, key, now):
    try:
        lat, lng = float(message.location_x), float(message.location_y)  # Location_X is the latitude
    except (TypeError, ValueError):
        return _("That location could not be read. Please send it again."), None
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        return _("That location could not be read. Please send it again."), None
    wlng, wlat = coords.to_wgs84(lng, lat, Datum.GCJ02)
    if geo.find_grid(wlng, wlat) is None:
        return _("That place is outside the grids this platform serves. Please check the location, "
                 "or reply 「地址」 followed by the address."), None
    conversation.given_longitude, conversation.given_latitude, conversation.given_datum = lng, lat, Datum.GCJ02
    conversation.longitude, conversation.latitude = wlng, wlat
    label = (message.label or "").strip()
    if label and not conversation.address:
        conversation.address = label[:200]
    return _advance(account, conversation, key, now)


def _on_image(account, conversation, message, key, now):
    if conversation.photos.filter(case__isnull=True).count() >= MAX_PHOTOS:
        return _("At most %(n)d photos can be attached to one report.") % {"n": MAX_PHOTOS}, None
    if conversation.state == ConversationState.IDLE:
        conversation.state = ConversationState.COLLECTING
    photo = WechatPhoto.objects.create(conversation=conversation, media_id=(message.media_id or "")[:128],
                                       pic_url=(message.image or "")[:500])
    transaction.on_commit(lambda: _enqueue_fetch(photo.pk))
    conversation.expires_at = now + dt.timedelta(minutes=draft_minutes())
    conversation.save()
    missing = _missing(conversation)
    return (_("Photo received.") + " " + missing) if missing else _("Photo received."), None


def _enqueue_fetch(photo_id: int) -> None:
    from .tasks import fetch_photo

    try:
        fetch_photo.enqueue(photo_id)
    except Exception:  # the resident's next message or the draft's expiry files the report anyway
        log.exception("could not enqueue the download of WeChat photo %s", photo_id)


def _missing(conversation) -> str:
    if not conversation.description:
        return _("What is the problem? Please describe it in text or a voice message.")
    if not conversation.has_place:
        return _("Where is it? Please send the location (+ → Location), or reply 「地址」 followed "
                 "by the address.")
    return ""


def _ask(conversation) -> str:
    return _missing(conversation) or _("Please describe the problem in text or a voice message.")


def _advance(account, conversation, key, now):
    conversation.state = ConversationState.COLLECTING
    conversation.expires_at = now + dt.timedelta(minutes=draft_minutes())
    missing = _missing(conversation)
    if missing:
        conversation.save()
        return missing, None
    if conversation.photos.filter(status=PhotoStatus.PENDING, case__isnull=True).exists():
        conversation.state, conversation.filing_key = ConversationState.FILING, key
        conversation.save()
        return _("Thank you. We are filing your report now and will send you its number in a moment."), None
    return _file(account, conversation, key, now)


def _file(account, conversation, key, now):
    """File the report the conversation holds (in the caller's transaction)."""
    resident = resident_for_wechat(app_id=account.app_id, openid=conversation.openid)
    photos = list(conversation.photos.filter(status=PhotoStatus.FETCHED, case__isnull=True))
    uploads = []
    for photo in photos:
        with photo.file.open("rb") as handle:
            uploads.append(SimpleUploadedFile(photo.file.name.rsplit("/", 1)[-1], handle.read()))
    point = {"longitude": conversation.longitude, "latitude": conversation.latitude} \
        if conversation.longitude is not None else {"region": account.region}
    try:
        with transaction.atomic():
            case = create_case(actor=Actor.of_resident(resident), channel=Channel.WECHAT,
                               description=conversation.description, address=conversation.address,
                               attachments=uploads, source=account.source, external_id=key, **point)
    except DomainError as exc:
        conversation.state = ConversationState.COLLECTING
        conversation.save()
        return _("Your report could not be filed: %(reason)s") % {"reason": exc.message}, None
    WechatPhoto.objects.filter(pk__in=[p.pk for p in photos]).update(status=PhotoStatus.ATTACHED, case=case)
    WechatPhoto.objects.filter(conversation=conversation, case__isnull=True).exclude(
        status=PhotoStatus.ATTACHED).update(case=case)  # failed downloads: not to be attached later
    conversation.resident = resident
    _reset(conversation)
    conversation.save()
    return filed_reply(case), case


def filed_reply(case) -> str:
    return _("Your report has been filed as %(number)s. We promise to resolve it by %(due)s. "
             "Reply 「查询」 to see its progress.") % {"number": case.number, "due": local_time(case.resolve_due_at)}


def local_time(value) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return _("%(month)d/%(day)d %(hour)02d:%(minute)02d") % {
        "month": local.month, "day": local.day, "hour": local.hour, "minute": local.minute}


def _reset(conversation) -> None:
    conversation.state = ConversationState.IDLE
    conversation.description = conversation.address = conversation.filing_key = conversation.given_datum = ""
    conversation.given_longitude = conversation.given_latitude = None
    conversation.longitude = conversation.latitude = conversation.expires_at = None


def _query(account, openid: str, number: str | None) -> str:
    resident = resident_for_wechat(app_id=account.app_id, openid=openid)
    cases = case_selectors.cases_of_resident(resident)
    if number:
        case = cases.filter(number=number.upper()).first()
        if case is None:
            return _("None of your reports has the number %(number)s.") % {"number": number.upper()}
        return _status_line(case, link=True)
    recent = list(cases[:5])
    if not recent:
        return _("You have no reports yet. Describe a problem in text or a voice message to report one.")
    return "\n".join([_("Your latest reports:"), *(_status_line(c) for c in recent)])


# A title in a status line: 12 characters, the last one "…" when it was cut (the reply to 查询 lists
# five cases and must stay well within WeChat's 2,048 bytes).
TITLE_CHARS = 12


def _short(title: str) -> str:
    # Not Truncator: its Chinese translation ends in "..." (three dots), not the one "…".
    return title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 1] + "…"


# Cases with nothing more to wait for: no deadline to show, but an answer or a reason to read.
FINISHED = {CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.MERGED}


def _status_line(case, *, link: bool = False) -> str:
    """One case in the reply to 「查询」. A finished case carries the link to its page, where the
    answer (to rate) or the reason it was not taken up is: a report refused before it was accepted
    never got a notice with that link. ``link``: add it for an open case too. A merged report
    reads how the case it is handled in is going (its page, at its own link, follows that case)."""
    words = {"number": case.number, "title": _short(case.title), "status": case.get_status_display()}
    survivor = surviving_case(case) if case.status == CaseStatus.MERGED else case
    if survivor.pk != case.pk:
        words.update(into=survivor.number, status=survivor.get_status_display())
        if survivor.status not in FINISHED:
            line = _("%(number)s %(title)s: handled together with %(into)s, %(status)s, due %(due)s") % {
                **words, "due": local_time(survivor.resolve_due_at)}
        else:
            line = _("%(number)s %(title)s: handled together with %(into)s, %(status)s") % words
    elif case.status not in FINISHED:
        line = _("%(number)s %(title)s: %(status)s, due %(due)s") % {**words, "due": local_time(case.resolve_due_at)}
    else:
        line = _("%(number)s %(title)s: %(status)s") % words
    if link or case.status in FINISHED:
        line += "\n" + _("Details: %(url)s") % {"url": tracking_url(case)}
    return line


def tracking_url(case) -> str:
    """The resident's page of ``case`` (its link is their proof): progress, answer, rating."""
    path = reverse("portal:case", kwargs={"token": case.tracking_token})
    return str(settings.WANGGE_PUBLIC_BASE_URL).rstrip("/") + path


# ---------------------------------------------------------------------------------------------
# Photos (background)
# ---------------------------------------------------------------------------------------------


def fetch_photo(*, photo_id: int) -> None:
    """Download one photo (outside any transaction: it may take seconds), store it, and file the
    report if it was only waiting for its photos."""
    photo = WechatPhoto.objects.select_related("conversation__account").filter(
        pk=photo_id, status=PhotoStatus.PENDING).first()
    if photo is None:
        return
    account = photo.conversation.account
    try:
        content, _content_type = media.fetch(account=account, media_id=photo.media_id, pic_url=photo.pic_url)
        failure = ""
    except media.FetchFailed as exc:
        content, failure = b"", str(exc)[:300]
    with transaction.atomic():
        photo = WechatPhoto.objects.select_for_update().get(pk=photo.pk)
        if photo.status != PhotoStatus.PENDING:
            return
        if failure or not content:
            photo.status, photo.error = PhotoStatus.FAILED, failure or "empty"
            photo.save(update_fields=["status", "error"])
        else:
            photo.file.save(f"{photo.media_id[:40] or photo.pk}.jpg", ContentFile(content), save=False)
            photo.status = PhotoStatus.FETCHED
            photo.save(update_fields=["status", "file"])
    file_when_photos_ready(conversation_id=photo.conversation_id)


@transaction.atomic
def file_when_photos_ready(*, conversation_id: int) -> None:
    """A report left waiting for its photos: file it once none is pending, and tell the resident
    its number through the customer-service message API (the passive reply has long gone)."""
    conversation = WechatConversation.objects.select_for_update().select_related("account").get(pk=conversation_id)
    if conversation.state != ConversationState.FILING:
        return
    if conversation.photos.filter(status=PhotoStatus.PENDING, case__isnull=True).exists():
        return
    account, openid, key = conversation.account, conversation.openid, conversation.filing_key
    reply, case = _file(account, conversation, key, timezone.now())
    send_later(account=account, openid=openid, text=reply, dedupe_key=f"wechat-late:{account.app_id}:{key}")
    if case is not None:
        WechatMessage.objects.filter(account=account, key=key).update(reply=reply, case=case)


def send_later(*, account, openid: str, text: str, dedupe_key: str) -> None:
    """A customer-service text message (客服消息) to ``openid``, through the outbox."""
    queue_message(channel=OUTBOX_CUSTOM, to=openid, template=TEMPLATE_LATE_REPLY,
                  context={"text": text, "app_id": account.app_id}, dedupe_key=dedupe_key)
