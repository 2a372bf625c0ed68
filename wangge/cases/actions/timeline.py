"""Entries other apps write on a case's timeline (a meeting's decision, a patrol's check-in).

The entry's type is one the app registered (``cases.timeline.register_event_type``); the case's
state does not change — a state change is always one of the case actions.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from wangge.core.actors import Actor

from .. import permissions
from ..choices import EventType
from ..errors import CaseNotFound, InvalidInput
from ..events import record_event
from ..models import Case
from ..timeline import event_types
from .base import _clean_text, _lock

# The case desk's own types are written by its actions only.
_OWN_TYPES = frozenset(EventType.values)


@transaction.atomic
def record_on_timeline(*, case: Case | int, type: str, actor, note: str = "", data: dict | None = None,
                       related=None, public: bool = False):
    """记录 — append an app's entry to a case's timeline (staff: only on a case they can see).
    Returns the timeline event; its domain event is published like every other."""
    actor = Actor.coerce(actor)
    if type not in event_types or type in _OWN_TYPES:
        raise InvalidInput(_("Unknown timeline entry type."), fields={"type": "invalid"})
    case = _lock(case)
    user = actor.user if actor.is_staff else None
    if actor.is_staff and not permissions.can_see(user, case):
        raise CaseNotFound()
    note = _clean_text(note, field="note", label=_("The note"), required=False)
    return record_event(case, type, actor=user, actor_kind=actor.kind, note=note, data=data or {},
                        related=related, public=public)
