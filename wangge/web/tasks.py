"""The hourly removal of files kept for hotline calls never filed (``held_uploads``), through
django-tasks: a chain that re-schedules itself (``core.periodic``)."""

from __future__ import annotations

from django_tasks import task

from wangge.core.periodic import schedule_once

INTERVAL = 3600


@task()
def remove_expired_uploads() -> dict:
    from .held_uploads import remove_expired

    try:
        removed = remove_expired()
    finally:
        schedule_expired_upload_removal()  # a failed run must not break the chain
    return {"removed": removed}


def schedule_expired_upload_removal(delay: int | None = None) -> None:
    schedule_once(remove_expired_uploads, delay=INTERVAL if delay is None else delay)
