"""The key-person sweep: overdue-visit notices and the retention erasure (django-tasks chain)."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from wangge.core.periodic import schedule_once


def sweep_interval() -> int:
    return int(getattr(settings, "WANGGE_KEYPERSON_SWEEP_INTERVAL", 3600))


@task()
def keyperson_sweep() -> dict:
    from .actions import anonymise_retired_key_persons, notify_overdue

    sent = notify_overdue()
    erased = anonymise_retired_key_persons()
    schedule_sweep()
    return {"notified": sent, "anonymised": erased}


def schedule_sweep(delay: int | None = None) -> None:
    schedule_once(keyperson_sweep, delay=sweep_interval() if delay is None else delay)
