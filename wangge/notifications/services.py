"""Writing notifications. Called by actions inside their transaction."""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone, translation

from wangge.core.buffers import collecting
from wangge.residents.masking import redact_rows

from .models import Notification, OutboundMessage
from .registry import notification_kinds

# While ``buffered()`` is active: the notifications to write in one INSERT when it ends.
_BUFFER: ContextVar[list | None] = ContextVar("wangge_notification_buffer", default=None)


def buffered():
    """Collect the notifications written inside and insert them together at the end (the sweep
    does this per batch of cases). Nothing is written if the block raises."""
    return collecting(_BUFFER, Notification)


def subject_url(subject) -> str:
    """Where a notification about ``subject`` leads: its ``get_absolute_url()``, if it has one."""
    get_url = getattr(subject, "get_absolute_url", None)
    return str(get_url()) if callable(get_url) else ""


def notify(*, recipients: Iterable, kind: str, message, subject=None, url: str = "", dedupe_key: str = "",
           case=None) -> int:
    """One notification per distinct recipient about ``subject`` (any saved model instance, or
    None); ``case=`` is the older name of ``subject``. ``url`` is where it leads (default: the
    subject's ``get_absolute_url()``). ``message`` is rendered in the default language (the one
    the office works in), since it is stored.

    With a ``dedupe_key``, a recipient who already has a notification with that key gets nothing
    new (a unique constraint holds it, also against a concurrent writer). Returns how many
    notifications were written (or, inside ``buffered()``, will be)."""
    if kind not in notification_kinds:
        raise ValueError(f"unknown notification kind {kind!r}: register it with register_kind()")
    if subject is None:
        subject = case
    elif case is not None and case is not subject:
        raise TypeError("notify() takes subject= or case=, not both")
    subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    if subject is not None and not url:
        url = subject_url(subject)
    with translation.override(settings.LANGUAGE_CODE):
        text = str(message)[:300]

    seen, rows = set(), []
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, kind=str(kind), subject_type=subject_type,
                                 subject_id=subject.pk if subject is not None else None,
                                 url=url[:300], dedupe_key=dedupe_key, message=text))
    if not rows:
        return 0
    if dedupe_key:
        return _insert_once(rows, dedupe_key)
    buffer = _BUFFER.get()
    if buffer is not None:
        buffer.extend(rows)
    else:
        Notification.objects.bulk_create(rows)
    return len(rows)


def _insert_once(rows: list[Notification], dedupe_key: str) -> int:
    """Insert the rows whose recipient has no notification with ``dedupe_key`` yet. Written at once
    even inside ``buffered()`` (still in the caller's transaction): the buffer's plain INSERT would
    fail on the constraint, and a key is rare (a yearly alert) so batching it gains nothing. The
    pre-check keeps the count right; ``ignore_conflicts`` covers a concurrent writer."""
    have = set(Notification.objects.filter(dedupe_key=dedupe_key, recipient__in=[r.recipient_id for r in rows])
               .values_list("recipient_id", flat=True))
    rows = [r for r in rows if r.recipient_id not in have]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def mark_read_by_key(*, dedupe_key: str) -> int:
    """Mark every unread notification with ``dedupe_key`` read, whoever it went to — the alert is
    answered (e.g. ``calendar:2027`` once the 2027 calendar is loaded)."""
    if not dedupe_key:
        raise ValueError("mark_read_by_key() needs a dedupe key")
    return Notification.objects.filter(dedupe_key=dedupe_key, read_at__isnull=True).update(read_at=timezone.now())


def redact_about(*, subject, redact) -> int:
    """PIPL erasure: ``redact`` (text → text, ``residents.masking.redactor``) applied to what was
    written to people about ``subject`` — the staff's notifications (a new case's title, a
    return's reason) and the outbox's messages (the answer texted to the resident: title, body,
    every text in the context). The rows, their times and counts stay. Returns how many changed.
    Runs in the erasure's transaction."""
    notices = redact_rows(Notification.objects.about(subject), redact, ["message"])
    messages = redact_rows(OutboundMessage.objects.about(subject).select_for_update().order_by("pk"), redact,
                           ["title", "body", "context"])
    return len(notices) + len(messages)
