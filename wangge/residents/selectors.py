"""Scoped reads of residents: masked, always.

Unmasked data is never read here — only through ``services.reveal_resident``, which logs the view.
"""

from __future__ import annotations

from django.db.models import QuerySet

from wangge.org.scope import can_see_reporter

from .masking import mask_name, mask_phone
from .models import Resident


def residents_visible_to(user) -> QuerySet[Resident]:
    """The residents ``user`` may list (masked).

    Kept simple on purpose: staff with the right to residents' personal data
    (``wangge.org.scope.can_see_reporter``: the intake, secretary, leader and admin roles, or the
    ``cases.view_reporter`` permission) see every resident; everyone else sees none. Other staff
    reach a resident only through a row they may see (a case's reporter). A territory rule (a grid
    worker sees the households of their grid) waits until households are filled in.
    """
    if not can_see_reporter(user):
        return Resident.objects.none()
    return Resident.objects.filter(merged_into__isnull=True).select_related("household", "household__unit")


def resident_summary(resident: Resident) -> dict:
    """What any screen may show of a resident: masks, flags and dates, never the raw data."""
    household = resident.household
    return {
        "id": resident.pk,
        "name": mask_name(resident.name),
        "phone": mask_phone(resident.phone),
        "phone_verified": resident.phone_verified_at is not None,
        "household": {"id": household.pk, "unit_id": household.unit_id} if household else None,
        "anonymised": resident.anonymised_at is not None,
        "merged_into": resident.merged_into_id,
        "created_at": resident.created_at,
        "last_seen_at": resident.last_seen_at,
    }
