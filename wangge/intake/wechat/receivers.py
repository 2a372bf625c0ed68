"""Notices to residents who reported by WeChat (模板消息): accepted (with the promised time),
resolved (with the answer and the link to rate it), rejected (不予受理: the reason and the office's
hotline; an "accepted" notice still waiting is withdrawn) and merged (合并: the case it is handled
in, followed at the report's own link). Subscribed ATOMIC in ``apps.py``: the outbox
row is written in the case action's own transaction and delivered after commit. The SMS replies
(``wangge.replies``) skip the cases this app reaches (``reaches_by_wechat``, a reply route): the
resident hears once, on the channel they came by — and by SMS when the account was switched off."""

from __future__ import annotations

from wangge.cases import selectors
from wangge.cases.choices import CaseStatus, Channel
from wangge.core.events import DomainEvent
from wangge.notifications.outbox import queue_message, withdraw_messages
from wangge.notifications.registry import OutboxChannel
from wangge.notifications.text import shorten
from wangge.replies.receivers import office_hotline

from .actions import local_time, tracking_url
from .models import WechatAccount, WechatConversation

TEMPLATE_ACCEPTED = "wechat_case_accepted"
TEMPLATE_RESOLVED = "wechat_case_resolved"
TEMPLATE_REJECTED = "wechat_case_rejected"
TEMPLATE_MERGED = "wechat_case_merged"
ANSWER_CHARS = 60


def tell_accepted(event: DomainEvent) -> None:
    target = _recipient(event)
    if target is None:
        return
    case, account, openid = target
    _queue(event, case, account, openid, TEMPLATE_ACCEPTED, {"due": local_time(case.resolve_due_at)})


def tell_resolved(event: DomainEvent) -> None:
    target = _recipient(event)
    if target is None:
        return
    case, account, openid = target
    note = event.payload.get("note") if event.payload.get("public", True) else ""
    answer = shorten(note or case.result, limit=ANSWER_CHARS)
    # The case page at its rating card: a link is opened with GET, and only the card's form rates.
    rate_url = tracking_url(case) + "#rate"
    _queue(event, case, account, openid, TEMPLATE_RESOLVED, {"answer": answer, "rate_url": rate_url})


def tell_rejected(event: DomainEvent) -> None:
    if event.payload.get("from_status") == CaseStatus.ACCEPTED and event.payload.get("channel") == Channel.WECHAT:
        # Its "accepted" notice, if still waiting (WeChat down, a retry due), no longer holds.
        withdraw_messages(subject=selectors.case_by_id(event.subject_id), templates=[TEMPLATE_ACCEPTED],
                          reason="withdrawn: the case was rejected before this message went out")
    target = _recipient(event)
    if target is None:
        return
    case, account, openid = target
    _queue(event, case, account, openid, TEMPLATE_REJECTED,
           {"reason": shorten(event.payload.get("note"), limit=ANSWER_CHARS), "hotline": office_hotline()})


def tell_merged(event: DomainEvent) -> None:
    target = _recipient(event)
    if target is None:
        return
    case, account, openid = target
    # The report's own link follows the case it is handled in (that case's link is its reporter's).
    _queue(event, case, account, openid, TEMPLATE_MERGED, {"into": (event.payload.get("data") or {}).get("into", "")})


def reaches_by_wechat(case) -> bool:
    """Reply route (``wangge.replies.routes``): this case's reporter hears from us on WeChat."""
    return _account_and_openid(case) is not None


def _recipient(event: DomainEvent):
    """(case, account, OpenID) when the case came through one of our accounts and its reporter
    still has an OpenID there; else None (decided from the event first, without reading)."""
    if event.payload.get("channel") != Channel.WECHAT or event.payload.get("reporter_id") is None:
        return None
    case = selectors.case_by_id(event.subject_id)
    found = _account_and_openid(case)
    return None if found is None else (case, *found)


def _account_and_openid(case):
    """(enabled account, the reporter's OpenID there) of a case filed through an official
    account, or None (filed otherwise, account switched off, resident no longer known there)."""
    prefix = f"{Channel.WECHAT}:"
    if case.channel != Channel.WECHAT or not case.source.startswith(prefix) or case.reporter is None:
        return None
    app_id = case.source[len(prefix):]
    account = WechatAccount.objects.filter(app_id=app_id, enabled=True).first()
    identity = case.reporter.wechat_ids.filter(app_id=app_id).first()
    if account is None or identity is None:
        return None
    return account, identity.openid


def _queue(event, case, account, openid, template, extra: dict) -> None:
    context = {"number": case.number, "title": case.title, "track_url": tracking_url(case),
               "app_id": account.app_id, **extra}
    queue_message(channel=OutboxChannel.WECHAT_TEMPLATE, to=openid, template=template, context=context,
                  subject=case, dedupe_key=f"{event.key}:wechat:{openid}")


def repoint_merged(sender, *, kept, merged, **kwargs) -> None:
    """Two residents are one person: a conversation under way goes on with the one kept."""
    WechatConversation.objects.filter(resident=merged).update(resident=kept)
