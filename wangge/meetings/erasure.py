"""What the meetings do when a case's reporter is erased (PIPL): a mechanical copy, no rule."""

from __future__ import annotations

from django.db.models import Q

from wangge.residents.masking import redact_values

from .models import AgendaItem, MeetingEvent, Minutes, Topic


def _redacted(rows, redact, fields) -> list:
    """The rows of ``rows`` whose ``fields`` (texts or JSON) ``redact`` changed, changed."""
    changed = []
    for row in rows:
        paths: list[str] = []
        values = redact_values({field: getattr(row, field) for field in fields}, redact, "", paths)
        if paths:
            for field in fields:
                setattr(row, field, values[field])
            changed.append(row)
    return changed


def erase_case_text(sender, *, case, redact, **kwargs) -> int:
    """``cases.signals.case_text_erased``: the erased reporter's number and name go from the
    copies of ``case``'s words the meetings keep — its topics, its agenda items (title, notes,
    outcome), the meeting log rows about them, and the minutes that list them. The minutes are
    final and never change otherwise; erasure is the one exception the law makes, and only the
    matched words change (``Minutes.save`` refuses a final row: written with ``bulk_update``)."""
    topics = list(Topic.objects.filter(case=case).select_for_update().order_by("pk"))
    items = list(AgendaItem.objects.filter(Q(case=case) | Q(topic__in=topics)).select_for_update().order_by("pk"))
    meetings = {item.meeting_id for item in items}
    rows = 0
    for model, queryset, fields in (
        (Topic, topics, ["title", "description", "vet_note"]),
        (AgendaItem, items, ["title", "notes", "outcome"]),
        (MeetingEvent, MeetingEvent.objects.filter(meeting_id__in=meetings).order_by("pk"), ["note", "data"]),
        (Minutes, Minutes.objects.filter(meeting_id__in=meetings).order_by("pk"), ["summary", "items"]),
    ):
        changed = _redacted(queryset, redact, fields)
        model.objects.bulk_update(changed, fields, batch_size=500)
        rows += len(changed)
    return rows
