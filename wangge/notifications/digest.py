"""每日汇总 — the daily digest: one notification a morning for each person who asked for it,
counting the last day's notifications by kind ("逾期 12 · 新派单 3"), linking to the list.

Run by the worker as the periodic job ``notifications.digest`` (hourly; each person gets at most
one digest a local day, after ``DIGEST_HOUR``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from wangge.core.periodic import schedule_once

from .models import Notification, NotificationPreference
from .registry import notification_kinds as kinds
from .services import notify

DIGEST_KIND = "digest"
DIGEST_HOUR = 7  # local time (Asia/Shanghai)
INTERVAL_SECONDS = 3600


def send_daily_digests(now: dt.datetime | None = None) -> int:
    """Send today's digest to everyone who wants one and has not had it; how many were sent."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < DIGEST_HOUR:
        return 0
    today = local.date()
    sent = 0
    due = NotificationPreference.objects.filter(daily_digest=True).exclude(last_digest_on=today).select_related("user")
    for pref in due:
        with transaction.atomic():
            counts = Counter(Notification.objects.filter(
                recipient=pref.user, created_at__gte=now - dt.timedelta(days=1)).exclude(kind=DIGEST_KIND)
                .values_list("kind", flat=True))
            pref.last_digest_on = today
            pref.save(update_fields=["last_digest_on"])
            if not counts:
                continue
            parts = "，".join(f"{_label(kind)} {n}" for kind, n in counts.most_common())
            notify(recipients=[pref.user], kind=DIGEST_KIND, url="/notifications/?unread=1",
                   message=_("Yesterday's notifications: %(parts)s") % {"parts": parts},
                   dedupe_key=f"digest:{pref.user_id}:{today.isoformat()}")
            sent += 1
    return sent


def _label(kind: str) -> str:
    entry = kinds.get(kind)
    return str(entry.label) if entry is not None else kind


@task()
def daily_digest_periodic() -> dict:
    try:
        return {"sent": send_daily_digests()}
    finally:
        schedule_digest_run()


def schedule_digest_run(delay: int | None = None) -> None:
    schedule_once(daily_digest_periodic, delay=INTERVAL_SECONDS if delay is None else delay)
