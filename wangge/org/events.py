"""The domain events the territory publishes (inside the action's transaction), for the apps
that keep rows at a place to follow without org importing them — QR codes stop, patrol points
stop being due when their place is retired (``Mode.DURABLE`` subscribers in their ``ready()``)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.core.events import DomainEvent, define_event, publish

REGION_RETIRED = "region_retired"


def define_events() -> None:
    define_event(REGION_RETIRED, label=_("Place retired"),
                 doc="payload: region_id (the node retired), region_ids (it and every node under it that was "
                     "still active), grid_ids (the grids among them), retired_at (ISO 8601), ended_assignment_ids")


def region_retired(region, *, actor, region_ids: list[int], grid_ids: list[int], retired_at,
                   ended_assignment_ids: list[int]) -> None:
    publish(DomainEvent(
        name=REGION_RETIRED, subject="org.region", subject_id=region.pk,
        key=f"org.region:{region.pk}:{REGION_RETIRED}:{retired_at.isoformat()}", occurred_at=timezone.now(),
        actor_id=getattr(actor, "pk", None), actor_kind="staff",
        payload={"region_id": region.pk, "region_ids": region_ids, "grid_ids": grid_ids,
                 "retired_at": retired_at.isoformat(), "ended_assignment_ids": ended_assignment_ids},
    ))
