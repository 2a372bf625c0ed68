"""The hourly look for API tokens about to expire (``services.warn_expiring_tokens``), through
django-tasks: a chain that re-schedules itself (``core.periodic``)."""

from __future__ import annotations

from django_tasks import task

from wangge.core.periodic import schedule_once

TOKEN_CHECK_INTERVAL = 3600


@task()
def warn_expiring_tokens() -> dict:
    from .services import warn_expiring_tokens as warn

    sent = warn()
    schedule_token_warnings()
    return {"sent": sent}


def schedule_token_warnings(delay: int | None = None) -> None:
    schedule_once(warn_expiring_tokens, delay=TOKEN_CHECK_INTERVAL if delay is None else delay)
