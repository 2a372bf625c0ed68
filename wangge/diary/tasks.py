"""The end-of-day job: close ended diary days (django-tasks chain, like the other periodic jobs)."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from wangge.core.periodic import schedule_once


def close_interval() -> int:
    return int(getattr(settings, "WANGGE_DIARY_CLOSE_INTERVAL", 900))


@task()
def close_diary_days() -> dict:
    from .actions import close_ended_days

    closed = close_ended_days()
    schedule_close()
    return {"closed": closed}


def schedule_close(delay: int | None = None) -> None:
    schedule_once(close_diary_days, delay=close_interval() if delay is None else delay)
