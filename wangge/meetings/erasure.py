"""What the meetings do when a case's reporter is erased (PIPL): a mechanical copy, no rule."""

from __future__ import annotations

from django.db.models import Q

from wangge.residents.masking import redact_rows

from .models import AgendaItem, MeetingEvent, Minutes, Topic


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
    for queryset, fields in (
        (topics, ["title", "description", "vet_note"]),
        (items, ["title", "notes", "outcome"]),
        (MeetingEvent.objects.filter(meeting_id__in=meetings).order_by("pk"), ["note", "data"]),
        (Minutes.objects.filter(meeting_id__in=meetings).order_by("pk"), ["summary", "items"]),
    ):
        rows += len(redact_rows(queryset, redact, fields))
    return rows
