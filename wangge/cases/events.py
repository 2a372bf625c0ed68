"""Writing timeline events — the only place a CaseEvent is created — and publishing the domain
event of each one (``core.events``) in the same transaction.

Every timeline row is one domain event (``timeline.domain_event_name``): ``case_filed``,
``case_accepted``, ``case_dispatched``, ``case_resolved``, ``case_rated`` … Subscribers in other
apps follow the case desk there, without ``cases`` knowing them.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from wangge.core.buffers import collecting
from wangge.core.events import DomainEvent, publish

from .models import CaseEvent
from .models.event import ActorKind
from .timeline import domain_event_name, event_types

# While ``buffered()`` is active: the events to write in one INSERT when it ends.
_BUFFER: ContextVar[list | None] = ContextVar("wangge_event_buffer", default=None)


@contextmanager
def buffered():
    """Collect the events recorded inside and insert them together, in order, at the end (the
    sweep does this per batch of cases), then publish their domain events. Nothing is written
    if the block raises."""
    with collecting(_BUFFER, CaseEvent) as rows:
        yield rows
    for event in rows:  # inserted now, with their primary keys
        publish(domain_event(event))


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
    buffer = _BUFFER.get()
    if buffer is not None:
        buffer.append(event)  # written (and published) when the buffer ends
    else:
        event.save()
        publish(domain_event(event))
    return event


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
        return {"id": value.pk, "name": str(value)}
    return str(value)
