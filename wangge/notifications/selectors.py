"""Reads of notifications for other apps' pages."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from .models import Notification


def unread_subject_ids(*, user, kind: str, model) -> set[int]:
    """The ids of the ``model`` rows that ``user`` has unread notifications of ``kind`` about
    (e.g. the cases of unread "new assignment" notices, highlighted in the queue)."""
    return set(
        Notification.objects.filter(recipient=user, read_at__isnull=True, kind=kind,
                                    subject_type=ContentType.objects.get_for_model(model))
        .values_list("subject_id", flat=True)
    )
