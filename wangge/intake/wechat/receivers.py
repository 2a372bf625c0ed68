"""Notices to residents who reported by WeChat (模板消息): accepted (with the promised time),
resolved (with the answer and the link to rate it), rejected (不予受理: the reason and the office's
hotline; an "accepted" notice still waiting is withdrawn) and merged (合并: the case it is handled
in, followed at the report's own link). Subscribed ATOMIC in ``apps.py``: the outbox
row is written in the case action's own transaction and delivered after commit. The SMS replies
(``wangge.replies``) skip the cases this app reaches (``reaches_by_wechat``, a reply route): the
resident hears once, on the channel they came by — and by SMS when the account was switched off.

A report merged into another case (or counted on it: ``intake.duplicates`` reporter links) goes
on hearing that case's acceptance, answer and refusal here, as its own WeChat reporter does: the
same template messages, at the merged report's own number and link (the kept case's link is its
reporter's proof), the answer without the invitation to rate (the kept case's reporter rates it).
The duplicates app's SMS to further reporters steps aside for these by the same reply route."""

from __future__ import annotations

from dataclasses import dataclass

from wangge.cases import selectors
from wangge.cases.choices import CaseStatus, Channel
from wangge.core.events import DomainEvent
from wangge.intake.duplicates.selectors import reporter_links
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
# The answer to a merged report's reporter: the accounts' answer template (办结通知) in WeChat's
# console, our words without the rating request (``gateways.CONSOLE_TEMPLATE_OF``).
TEMPLATE_MERGED_RESOLVED = "wechat_merged_case_resolved"
ANSWER_CHARS = 60


def tell_accepted(event: DomainEvent) -> None:
    for target in _recipients(event):
        _queue(event, target, TEMPLATE_ACCEPTED, {"due": local_time(target.case.resolve_due_at)})


def tell_resolved(event: DomainEvent) -> None:
    targets = _recipients(event)
    if not targets:
        return
    case = targets[0].case
    note = event.payload.get("note") if event.payload.get("public", True) else ""
    answer = shorten(note or case.result, limit=ANSWER_CHARS)
    for target in targets:
        if target.own:
            # The case page at its rating card: a link is opened with GET, and only the card's form rates.
            _queue(event, target, TEMPLATE_RESOLVED, {"answer": answer, "rate_url": tracking_url(case) + "#rate"})
        else:  # a merged report's page shows the answer; the kept case's reporter rates it
            _queue(event, target, TEMPLATE_MERGED_RESOLVED, {"answer": answer})


def tell_rejected(event: DomainEvent) -> None:
    if event.payload.get("from_status") == CaseStatus.ACCEPTED:
        # Its "accepted" notices still waiting (WeChat down, a retry due), to its own reporter or
        # to a merged report's, no longer hold.
        withdraw_messages(subject=selectors.case_by_id(event.subject_id), templates=[TEMPLATE_ACCEPTED],
                          reason="withdrawn: the case was rejected before this message went out")
    reason = shorten(event.payload.get("note"), limit=ANSWER_CHARS)
    for target in _recipients(event):
        _queue(event, target, TEMPLATE_REJECTED, {"reason": reason, "hotline": office_hotline()})


def tell_merged(event: DomainEvent) -> None:
    target = _own_recipient(event)
    if target is None:
        return
    # The report's own link follows the case it is handled in (that case's link is its reporter's).
    _queue(event, target, TEMPLATE_MERGED, {"into": (event.payload.get("data") or {}).get("into", "")})


def reaches_by_wechat(case) -> bool:
    """Reply route (``wangge.replies.routes``): this case's reporter hears from us on WeChat."""
    return _account_and_openid(case) is not None


@dataclass(frozen=True)
class Recipient:
    """Who hears of ``case`` in WeChat: the reporter of ``report`` — the case itself, or a report
    merged into it — at ``openid`` of ``account``."""

    case: object
    report: object
    account: WechatAccount
    openid: str

    @property
    def own(self) -> bool:
        return self.report.pk == self.case.pk


def _own_recipient(event: DomainEvent) -> Recipient | None:
    """The case's own reporter when it came through one of our accounts and they still have an
    OpenID there; else None (decided from the event first, without reading)."""
    if event.payload.get("channel") != Channel.WECHAT or event.payload.get("reporter_id") is None:
        return None
    case = selectors.case_by_id(event.subject_id)
    found = _account_and_openid(case)
    return None if found is None else Recipient(case, case, *found)


def _recipients(event: DomainEvent) -> list[Recipient]:
    """The case's own WeChat reporter, then the reporters of the reports merged into it (or
    counted on it) who came through one of our accounts — those the SMS to further reporters
    leaves to us (``reaches_by_wechat``). A merged report of the case's own reporter is not told
    twice: they hear as its reporter (and one OpenID gets one message per event: the dedupe key)."""
    own = _own_recipient(event)
    case = own.case if own is not None else selectors.case_by_id(event.subject_id)
    out = [own] if own is not None else []
    for link in reporter_links(case):
        report = link.from_case
        if report is None or (case.reporter_id is not None and report.reporter_id == case.reporter_id):
            continue
        found = _account_and_openid(report)
        if found is not None:
            out.append(Recipient(case, report, *found))
    return out


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


def _queue(event, target: Recipient, template, extra: dict) -> None:
    """One notice about ``target.case`` (its subject: withdrawn with the case's own), worded for the
    report the resident knows — its number and its link; ``into``: the case it is handled in."""
    report = target.report
    context = {"number": report.number, "title": report.title, "track_url": tracking_url(report),
               "app_id": target.account.app_id, **({} if target.own else {"into": target.case.number}), **extra}
    queue_message(channel=OutboxChannel.WECHAT_TEMPLATE, to=target.openid, template=template, context=context,
                  subject=target.case, dedupe_key=f"{event.key}:wechat:{target.openid}")


def repoint_merged(sender, *, kept, merged, **kwargs) -> None:
    """Two residents are one person: a conversation under way goes on with the one kept."""
    WechatConversation.objects.filter(resident=merged).update(resident=kept)
