"""Writing timeline events — the only place a CaseEvent is created."""

from __future__ import annotations

from django.utils import timezone

from .models import CaseEvent
from .models.event import ActorKind


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
    return CaseEvent.objects.create(
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


def jsonable(value):
    """A value as it is stored in an event's old → new data."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return {"id": value.pk, "name": str(value)}
    return str(value)
