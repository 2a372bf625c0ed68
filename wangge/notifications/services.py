"""Writing notifications. Called by actions inside their transaction."""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar

from django.conf import settings
from django.utils import translation

from wangge.core.buffers import collecting

from .models import Notification


# While ``buffered()`` is active: the notifications to write in one INSERT when it ends.
_BUFFER: ContextVar[list | None] = ContextVar("wangge_notification_buffer", default=None)


def buffered():
    """Collect the notifications written inside and insert them together at the end (the sweep
    does this per batch of cases). Nothing is written if the block raises."""
    return collecting(_BUFFER, Notification)


def notify(*, recipients: Iterable, kind: str, message, case=None) -> int:
    """One notification per distinct recipient. ``message`` is rendered in the default language
    (the one the office works in), since it is stored."""
    seen, rows = set(), []
    with translation.override(settings.LANGUAGE_CODE):
        text = str(message)[:300]
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, kind=kind, case=case, message=text))
    buffer = _BUFFER.get()
    if buffer is not None:
        buffer.extend(rows)
    else:
        Notification.objects.bulk_create(rows)
    return len(rows)


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    from django.utils import timezone

    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
