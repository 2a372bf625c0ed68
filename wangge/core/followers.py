"""Following a table in batches (按批跟随): advice that may lag a few seconds, at no cost to the write.

A ``DURABLE`` subscriber costs the writer one extra row per event, inside its transaction. For
work that only advises — finding possible duplicates of a new case — that row is the dearest
part of the reaction: at intake rates it is one more INSERT per filing. A follower instead reads
the new rows of the table itself, in the worker, every few seconds::

    follow_new_rows("intake_duplicates.find", Case.objects.all(), handle=record_batch)

Nothing is lost, without a row per event: the follower keeps how far it has read
(``FollowerMark``). Ids come from a sequence in the order transactions *asked* for them, not
the order they committed, so a gap below the newest id may be a transaction still running: the
follower handles the rows past the gap, remembers them in ``done_above``, and moves its mark
over the gap only once the gap is filled — or once the row after it is ``grace`` old (the gap
was a rolled-back insert: an intake transaction lasts milliseconds, not minutes). Handling a row
twice must be harmless (the handler is idempotent); it happens only when a run dies halfway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from .models import FollowerMark

DEFAULT_BATCH = 500
DEFAULT_GRACE = dt.timedelta(minutes=5)


def follow_new_rows(name: str, queryset, *, handle: Callable[[list], None], batch: int = DEFAULT_BATCH, grace: dt.timedelta = DEFAULT_GRACE,
                    now: dt.datetime | None = None) -> int:
    """Hand the rows of ``queryset`` not handled yet to ``handle`` (a list, in id order, at
    most ``batch``) and move the mark. Returns how many rows were handled. One run at a time per
    ``name`` (the mark row is locked for the run)."""
    now = now or timezone.now()
    with transaction.atomic():
        _mark, created = FollowerMark.objects.get_or_create(name=name)
        mark = FollowerMark.objects.select_for_update().get(name=name)
        done = set(mark.done_above)
        rows = list(queryset.filter(pk__gt=mark.last_id).order_by("pk")[:batch])
        if created and rows:
            mark.last_id = rows[0].pk - 1  # a new follower starts at the table's first row
        todo = [row for row in rows if row.pk not in done]
        if todo:
            handle(todo)
        done.update(row.pk for row in todo)
        last_id, gap_seen_at = mark.last_id, mark.gap_seen_at
        for row in rows:
            if row.pk == last_id + 1:
                last_id, gap_seen_at = row.pk, None
            elif gap_seen_at is None or last_id != mark.last_id:
                gap_seen_at = now  # a gap below this row: wait for it
                break
            elif now - gap_seen_at >= grace:
                last_id, gap_seen_at = row.pk, None  # waited long enough: the insert was rolled back
            else:
                break
        mark.last_id, mark.gap_seen_at = last_id, gap_seen_at
        mark.done_above = sorted(pk for pk in done if pk > last_id)
        mark.save(update_fields=["last_id", "done_above", "gap_seen_at", "updated_at"])
    return len(todo)


def reset_follower(name: str, *, to_id: int = 0) -> None:
    """Read the table again from ``to_id`` (after changing what the follower does)."""
    FollowerMark.objects.update_or_create(name=name, defaults={"last_id": to_id, "done_above": []})
