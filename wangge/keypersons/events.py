"""The domain events key persons publish (inside the action's transaction), for other apps to
follow without importing this one — e.g. the needs app may subscribe to ``keyperson_visited``
and open a service need when ``help_needed == "service"``."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.core.events import DomainEvent, define_event, publish

VISITED = "keyperson_visited"
RETIRED = "keyperson_retired"
QUICK_REPORT = "keyperson_quick_report"
ATTENDED = "keyperson_attended"


def define_events() -> None:
    define_event(VISITED, label=_("Key person visited"),
                 doc="payload: key_person_id, resident_id, grid_id, community_id, visited_at, mood, help_needed, "
                     "need_note, case_id")
    define_event(RETIRED, label=_("Key person retired"), doc="payload: key_person_id, resident_id, reason")
    define_event(QUICK_REPORT, label=_("Quick report (六报) filed"),
                 doc="payload: kind, grid_id, community_id, at, case_id, routed_to")
    define_event(ATTENDED, label=_("Attendance (六到) recorded"), doc="payload: kind, grid_id, community_id, at")


def emit(name: str, row, *, actor, payload: dict) -> None:
    publish(DomainEvent(name=name, subject=f"keypersons.{row._meta.model_name}", subject_id=row.pk,
                        key=f"keypersons.{row._meta.model_name}:{row.pk}:{name}", occurred_at=timezone.now(),
                        actor_id=getattr(actor, "pk", None), actor_kind="staff", payload=payload))
