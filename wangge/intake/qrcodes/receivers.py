"""What the QR codes do when the territory changes: a retired place's codes stop."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wangge.core.events import DomainEvent
from wangge.org.retirement import Impact

from .models import QrCode


def retire_codes_of_retired_places(event: DomainEvent) -> int:
    """``region_retired``: the codes posted at the retired places stop (idempotent: a code already
    retired keeps its date). A scan then says the code is no longer in use."""
    payload = event.payload
    retired_at = dt.datetime.fromisoformat(payload["retired_at"])
    return (QrCode.objects.filter(region_id__in=payload["region_ids"], is_active=True)
            .update(is_active=False, retired_at=retired_at, retired_by_id=event.actor_id))


def codes_at(region) -> Impact | None:
    """Retirement impact: the codes in use at the place or under it."""
    codes = QrCode.objects.filter(region__path__startswith=region.path, is_active=True)
    count = codes.count()
    if not count:
        return None
    rows = codes.order_by("place_name", "pk")[:10]
    return Impact(
        label=_("QR codes in use"), count=count,
        consequence=ngettext("It stops: scanning it says it is no longer in use. Take the sheet down.",
                             "They stop: scanning one says it is no longer in use. Take the sheets down.",
                             count),
        names=[f"{c.reference} {c.place_name}" for c in rows],
    )
