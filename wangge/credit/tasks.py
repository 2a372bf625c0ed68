"""The daily expiry of credit lots, through django-tasks (a chain that re-schedules itself)."""

from __future__ import annotations

from django_tasks import task

from wangge.core.periodic import schedule_once

EXPIRY_INTERVAL = 3600


@task()
def expire_credit_lots() -> dict:
    """Book the expiry of every lot past its date; schedules its own next run."""
    from .actions import expire_lots

    booked = expire_lots()
    schedule_expiry()
    return {"booked": booked}


def schedule_expiry(delay: int | None = None) -> None:
    schedule_once(expire_credit_lots, delay=EXPIRY_INTERVAL if delay is None else delay)
