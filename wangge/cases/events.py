"""Writing timeline events — the only place a CaseEvent is created — and publishing the domain
event of each one (``core.events``) in the same transaction.

Each row is sealed as it is written: ``hash`` over its content and ``prev_hash``, the hash of the
case's row before it (``models.event.event_hash``), so the timeline is a hash chain per case that
``manage.py verify_audit`` recomputes. Finding the previous hash costs at most one query per case
and transaction — none for a case's first row (``created``); the callers hold the case's row lock
(the actions' ``select_for_update``, the sweep's locked batch), so no one else appends meanwhile.

Every timeline row is one domain event (``timeline.domain_event_name``): ``case_filed``,
``case_accepted``, ``case_dispatched``, ``case_resolved``, ``case_rated`` … Subscribers in other
apps follow the case desk there, without ``cases`` knowing them.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from wangge.core.events import DomainEvent, publish
from wangge.core.pgsettings import local_settings
from wangge.residents.masking import redact_values

from .mentions import note_mentions, strings_in
from .models import CaseEvent
from .models.event import ActorKind
from .timeline import domain_event_name, event_types

# While ``buffered()`` is active: the events to write in one INSERT when it ends.
_BUFFER: ContextVar[list | None] = ContextVar("wangge_event_buffer", default=None)
# The hash of each case's last row written in the current transaction: case id → (hash, marker).
# ``marker`` is an on-commit callback registered with the entry: Django drops it when the
# savepoint or transaction it was written in rolls back, and runs it (forgetting the entry) at
# commit — so an entry is trusted only while its marker is still pending.
_TAILS: ContextVar[dict | None] = ContextVar("wangge_event_tails", default=None)
# The type of a case's first row, written by intake on a case that has no row yet.
FIRST_TYPE = "created"


def _tails() -> dict:
    tails = _TAILS.get()
    if tails is None:
        tails = {}
        _TAILS.set(tails)
    return tails


def _cached_tail(case_id: int) -> str | None:
    entry = _tails().get(case_id)
    if entry is None:
        return None
    tail, marker = entry
    if connection.in_atomic_block and any(hook[1] is marker for hook in reversed(connection.run_on_commit)):
        return tail
    _tails().pop(case_id, None)  # its transaction (or savepoint) ended: read again
    return None


def _remember_tail(case_id: int, tail: str) -> None:
    if not connection.in_atomic_block:
        return  # autocommit: nothing to keep it for
    tails = _tails()
    if len(tails) > 2000:  # entries of rolled-back transactions are never run: drop them now and then
        pending = {id(hook[1]) for hook in connection.run_on_commit}
        for key in [k for k, (_, m) in tails.items() if id(m) not in pending]:
            del tails[key]

    def marker():
        if tails.get(case_id, (None, None))[1] is marker:
            tails.pop(case_id, None)

    tails[case_id] = (tail, marker)
    transaction.on_commit(marker)


def _stored_tails(case_ids) -> dict[int, str]:
    """The hash of the last stored row of each case (one query)."""
    last = CaseEvent.objects.filter(case_id__in=case_ids).values("case_id").annotate(last=Max("pk")).values("last")
    return dict(CaseEvent.objects.filter(pk__in=last).values_list("case_id", "hash"))


def _seal(event: CaseEvent, prev_hash: str) -> None:
    event.prev_hash = prev_hash
    event.hash = event.compute_hash()


@contextmanager
def buffered():
    """Collect the events recorded inside and insert them together, in order, at the end (the
    sweep does this per batch of cases), then publish their domain events. Nothing is written
    if the block raises. The chain is computed here for the whole batch: one query reads the
    last hash of every case in it."""
    rows: list[CaseEvent] = []
    token = _BUFFER.set(rows)
    try:
        yield rows
        if rows:
            _seal_batch(rows)
            CaseEvent.objects.bulk_create(rows)
    finally:
        _BUFFER.reset(token)
    for event in rows:  # inserted now, with their primary keys
        publish(domain_event(event))


def _seal_batch(rows: list[CaseEvent]) -> None:
    tails: dict[int, str] = {}
    unknown = set()
    for event in rows:
        if event.case_id in tails or event.case_id in unknown:
            continue
        cached = _cached_tail(event.case_id)
        if cached is not None:
            tails[event.case_id] = cached
        elif event.type != FIRST_TYPE:
            unknown.add(event.case_id)
    if unknown:
        tails.update(_stored_tails(unknown))
    for event in rows:
        _seal(event, "" if event.type == FIRST_TYPE else tails.get(event.case_id, ""))
        tails[event.case_id] = event.hash
    for case_id in tails:  # written in the batch's savepoint: read again if asked
        _tails().pop(case_id, None)


def record_event(
    case,
    type: str,
    *,
    actor=None,
    actor_kind: str | None = None,
    from_status: str = "",
    to_status: str = "",
    data: dict | None = None,
    note: str = "",
    public: bool = True,
    at=None,
    related=None,
) -> CaseEvent:
    """Append one row to ``case``'s timeline. ``related``: the object in another app the event
    came from (a meeting, a patrol check-in), linked generically."""
    if type not in event_types:
        raise ValueError(f"timeline event type {type!r} is not registered")
    if actor_kind is None:
        actor_kind = ActorKind.STAFF if actor is not None else ActorKind.SYSTEM
    event = CaseEvent(
        case=case,
        type=type,
        actor=actor,
        actor_kind=actor_kind,
        created_at=at or timezone.now(),
        from_status=from_status,
        to_status=to_status,
        data=data or {},
        note=note,
        public=public,
    )
    if related is not None:
        event.related_type = ContentType.objects.get_for_model(related)
        event.related_id = related.pk
    note_mentions(case.pk, note, *strings_in(event.data))
    buffer = _BUFFER.get()
    if buffer is not None:
        buffer.append(event)  # sealed, written and published when the buffer ends
    else:
        _seal(event, _previous_hash(event))
        event.save()
        _remember_tail(event.case_id, event.hash)
        publish(domain_event(event))
    return event


def _previous_hash(event: CaseEvent) -> str:
    """The hash of the row before ``event`` on its case: none for a new case's first row, the
    one this transaction wrote last, or one query."""
    if event.type == FIRST_TYPE:
        return ""
    cached = _cached_tail(event.case_id)
    if cached is not None:
        return cached
    last = CaseEvent.objects.filter(case_id=event.case_id).order_by("-pk").values_list("hash", flat=True)[:1]
    return next(iter(last), "")


def domain_event(event: CaseEvent) -> DomainEvent:
    """The domain event of one timeline row (its payload is JSON-able: it may be stored)."""
    case = event.case
    related = None
    if event.related_type_id:
        ct = ContentType.objects.get_for_id(event.related_type_id)
        related = {"type": f"{ct.app_label}.{ct.model}", "id": event.related_id}
    return DomainEvent(
        name=domain_event_name(event.type),
        subject="cases.case",
        subject_id=case.pk,
        key=f"cases.caseevent:{event.pk}",
        occurred_at=event.created_at,
        actor_id=event.actor_id,
        actor_kind=event.actor_kind,
        payload={
            "number": case.number,
            "event_type": event.type,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "channel": case.channel,
            "note": event.note,
            "public": event.public,
            "data": event.data,
            "reporter_id": case.reporter_id,
            "has_reporter_phone": bool(case.reporter_phone),
            "grid_id": case.grid_id,
            "community_id": case.community_id,
            "related": related,
        },
    )


def jsonable(value):
    """A value as it is stored in an event's old → new data."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        # A category's str() follows the page's language; the record keeps its stored name.
        stored = getattr(getattr(value, "_meta", None), "label", "") == "cases.Category"
        return {"id": value.pk, "name": value.name if stored else str(value)}
    return str(value)


# PostgreSQL: while this is 'on' in a transaction, the timeline's append-only trigger
# (``migrations/0022_timeline_redaction``) lets an UPDATE through that changes nothing but the
# note, the data and the chain's two hashes. Set only by ``redact_timeline``, for its own block.
REDACTION_SETTING = "wangge.timeline_redaction"


def _redaction_allowed():
    # Only for this block: the rest of the transaction is guarded again.
    return local_settings(**{REDACTION_SETTING: "on"})


@dataclass
class Redaction:
    """What ``redact_timeline`` changed: field paths by event id (``{"812": ["note",
    "data.words.accepted"]}``), and the rows that already failed verification before it."""

    events: dict[str, list[str]] = field(default_factory=dict)
    unverified: list[int] = field(default_factory=list)


def _unverified(rows: list[CaseEvent]) -> list[int]:
    """The rows of one case's timeline that do not verify as stored (``audit.chain`` rules)."""
    broken, previous = [], ""
    for event in rows:
        if not event.hash or event.prev_hash != previous or event.compute_hash() != event.hash:
            broken.append(event.pk)
        previous = event.hash
    return broken


def redact_timeline(case, redact) -> Redaction:
    """PIPL erasure in a case's timeline: ``redact`` (text → text, ``residents.masking.redactor``)
    applied to every row's note and to every text in its data. Nothing is written when nothing
    matches (``Redaction.events`` is empty).

    The timeline is append-only and hash-chained, and erasure is the one exception the law makes
    to "never changed". How it stays sound:
    - only the matched words change (to ``ERASED_MARK``); every other column of every row stays;
    - the chain is re-sealed from the first changed row to the case's last, with the same
      canonical form (``event_hash``), so ``verify_audit`` still finds any change made behind the
      application's back after the erasure;
    - the erasure is itself on the record: the caller appends a staff-only ``PII_REDACTED`` row
      (chained after them) naming the rows and fields changed — history is redacted, never
      silently rewritten — and the rows that did *not* verify before the re-sealing
      (``Redaction.unverified``), which ``verify_audit`` goes on reporting: an earlier tampering
      is not laundered by it;
    - the old hashes are kept nowhere: a hash over a row whose other content is known gives the
      erased number back to anyone who tries the ~10⁹ mobile numbers;
    - on PostgreSQL the append-only trigger lets these UPDATEs through only inside this function
      (a transaction-local setting, and only note, data, hash and prev_hash may differ).
    The caller holds the case's row lock (no one appends meanwhile) and the transaction."""
    rows = list(CaseEvent.objects.filter(case_id=case.pk).order_by("pk"))
    result = Redaction()
    first = None
    for index, event in enumerate(rows):
        fields: list[str] = []
        note = redact(event.note) if event.note else event.note
        data = redact_values(event.data or {}, redact, "data", fields)
        if note != event.note:
            fields.insert(0, "note")
        if fields:
            if first is None:
                result.unverified = _unverified(rows)  # before anything is changed
                first = index
            event.note, event.data = note, data
            result.events[str(event.pk)] = fields
    if first is None:
        return result
    resealed = rows[first:]
    previous = rows[first - 1].hash if first else ""
    for event in resealed:
        _seal(event, previous)
        previous = event.hash
    with _redaction_allowed():
        CaseEvent.objects.bulk_update(resealed, ["note", "data", "hash", "prev_hash"], batch_size=500)
    _tails().pop(case.pk, None)  # the tail this transaction knew is no longer the case's last hash
    return result
