"""What the app does when a case changes (domain events, see ``wangge/cases/timeline.py``)."""

from __future__ import annotations

from django.db import transaction

from wangge.core.events import DomainEvent


def case_closed(event: DomainEvent) -> None:
    """A case made from a need was closed (结案): ask the resident “was it really fixed?”. Durable
    (run by the worker after commit) and idempotent: one follow-up per need and case."""
    from .actions import ask_follow_up
    from .models import Need

    with transaction.atomic():
        for need in Need.objects.filter(case_id=event.subject_id).select_related("chief"):
            ask_follow_up(need=need, case_id=event.subject_id, case_number=event.payload.get("number", ""))


def residents_merged(sender, *, kept, merged, **kwargs) -> None:
    """Re-point this app's rows from the merged resident to the one kept (mechanical copy)."""
    from .models import Chief, Need, ServiceRecord

    for model in (Chief, Need, ServiceRecord):
        model.objects.filter(resident=merged).update(resident=kept)


def resident_anonymised(sender, *, resident, **kwargs) -> None:
    """Blank this app's copies of the resident's personal data: a volunteer chief's name."""
    from .models import Chief

    Chief.objects.filter(resident=resident).update(name="—")


def open_business(resident) -> str | None:
    """A resident who serves as a chief, or whose need is still open, is not to be erased."""
    from django.utils.translation import gettext as _

    from .choices import NEED_PENDING
    from .models import Chief, Need

    if Chief.objects.filter(resident=resident, ended_at__isnull=True).exists():
        return _("serves as a neighbourhood chief")
    if Need.objects.filter(resident=resident, status__in=NEED_PENDING).exists():
        return _("has an open need")
    return None
