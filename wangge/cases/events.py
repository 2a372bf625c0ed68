"""Writing timeline events — the only place a CaseEvent is created."""

from __future__ import annotations

from contextvars import ContextVar

from django.utils import timezone

from wangge.core.buffers import collecting

from .models import CaseEvent
from .models.event import ActorKind


# While ``buffered()`` is active: the events to write in one INSERT when it ends.
_BUFFER: ContextVar[list | None] = ContextVar("wangge_event_buffer", default=None)


def buffered():
    """Collect the events recorded inside and insert them together, in order, at the end (the
    sweep does this per batch of cases). Nothing is written if the block raises."""
    return collecting(_BUFFER, CaseEvent)


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
) -> CaseEvent:
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
    buffer = _BUFFER.get()
    if buffer is not None:
        buffer.append(event)  # written when the buffer ends (no pk until then)
    else:
        event.save()
    return event


def jsonable(value):
    """A value as it is stored in an event's old → new data."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return {"id": value.pk, "name": str(value)}
    return str(value)
