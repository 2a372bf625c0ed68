"""What residents are told when the case desk moves their report (短信告知).

A resident who left a mobile number gets an SMS when their case is accepted (受理, with the
deadline), when it is resolved (办结, with the answer and a request to rate it) and when it is
turned down (不予受理, with the reason and the office's hotline), each with the link to their
case's page. The texts are the admin-editable templates ``case_accepted``, ``case_resolved`` and
``case_rejected``; an "accepted" text still waiting when the case is rejected is withdrawn.
(A report merged into another case is told by the duplicates app, ``duplicate_merged``.)
Anonymous reports without a phone and cases staff filed without one are skipped, and so are cases
the app of their own channel tells (``routes``: WeChat). One message per event and phone number:
the dedupe key is ``<event key>:sms:<phone>``.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from wangge.cases import selectors
from wangge.cases.choices import CaseStatus
from wangge.core.events import DomainEvent
from wangge.notifications.outbox import queue_message, withdraw_messages
from wangge.notifications.registry import OutboxChannel
from wangge.notifications.text import shorten
from wangge.residents.masking import normalise_phone

from .routes import reached_elsewhere

log = logging.getLogger("wangge.replies")

MOBILE = re.compile(r"1[3-9]\d{9}")
# An SMS past 70 characters goes in parts of 67: the answer is cut so that, with the link, the
# message stays within about two parts; the whole answer is on the resident's page.
ANSWER_CHARS = 40
TEMPLATE_ACCEPTED = "case_accepted"
TEMPLATE_RESOLVED = "case_resolved"
TEMPLATE_REJECTED = "case_rejected"


def tell_reporter_accepted(event: DomainEvent) -> None:
    case = _case_with_phone(event)
    if case is None:
        return
    _queue_sms(event, case, TEMPLATE_ACCEPTED, {"due": _local_date(case.resolve_due_at)})


def tell_reporter_resolved(event: DomainEvent) -> None:
    case = _case_with_phone(event)
    if case is None:
        return
    answer = (event.payload.get("note") if event.payload.get("public", True) else "") or case.result
    _queue_sms(event, case, TEMPLATE_RESOLVED, {"answer": shorten(answer, limit=ANSWER_CHARS)})


def tell_reporter_rejected(event: DomainEvent) -> None:
    if event.payload.get("from_status") == CaseStatus.ACCEPTED:
        withdraw_accepted(event, [TEMPLATE_ACCEPTED])
    case = _case_with_phone(event)
    if case is None:
        return
    _queue_sms(event, case, TEMPLATE_REJECTED,
               {"reason": shorten(event.payload.get("note"), limit=ANSWER_CHARS), "hotline": office_hotline()})


def withdraw_accepted(event: DomainEvent, templates: list[str]) -> None:
    """A case rejected after it was accepted: its "accepted" texts not yet gone out (the gateway
    down, a retry waiting) no longer hold — the resident must not hear 已受理 after 不予受理."""
    withdraw_messages(subject=selectors.case_by_id(event.subject_id), templates=templates,
                      reason="withdrawn: the case was rejected before this message went out")


def office_hotline() -> str:
    """The office's hotline (``WANGGE_OFFICE_HOTLINE``), "" when none is configured."""
    return str(getattr(settings, "WANGGE_OFFICE_HOTLINE", "") or "").strip()


def reporter_mobile(case) -> str:
    """The reporter's mobile number, digits only, or "" (none given, or not a mobile)."""
    reporter = getattr(case, "reporter", None)
    phone = (getattr(reporter, "phone", "") if reporter is not None else "") or case.reporter_phone or ""
    digits = normalise_phone(phone)
    return digits if MOBILE.fullmatch(digits) else ""  # a landline gets no SMS


def tracking_url(case) -> str:
    """The absolute link to the resident's page of ``case`` (their proof: the tracking token)."""
    base = str(settings.WANGGE_PUBLIC_BASE_URL).rstrip("/")
    return base + reverse("portal:case", kwargs={"token": case.tracking_token})


def _case_with_phone(event: DomainEvent):
    if not event.payload.get("has_reporter_phone") and event.payload.get("reporter_id") is None:
        return None  # nobody to tell: decided from the event, without reading the case
    case = selectors.case_by_id(event.subject_id)
    if not reporter_mobile(case) or reached_elsewhere(case):
        return None  # no mobile, or the app of the channel they came by tells them there
    return case


def _queue_sms(event: DomainEvent, case, template: str, extra: dict) -> None:
    phone = reporter_mobile(case)
    context = {"number": case.number, "track_url": tracking_url(case), **extra}
    queue_message(channel=OutboxChannel.SMS, to=phone, template=template, context=context, subject=case,
                  dedupe_key=f"{event.key}:sms:{phone}")


def _local_date(value) -> str:
    """12月3日 (with the year when it is not this year's)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    today = timezone.localdate()
    prefix = f"{local.year}年" if local.year != today.year else ""
    return f"{prefix}{local.month}月{local.day}日"
