"""Background delivery of the outbox (django-tasks).

``deliver_outbox`` is enqueued after the commit of every transaction that queued a message, so a
message goes out within a second or two; ``deliver_outbox_periodic`` keeps one chain running (it
re-schedules itself) for retries that come due and for rows a dead worker left behind.
"""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from wangge.core.periodic import schedule_once

from .outbox import deliver_due_messages

DEFAULT_INTERVAL_SECONDS = 30


def delivery_interval() -> int:
    return int(getattr(settings, "WANGGE_OUTBOX_INTERVAL", DEFAULT_INTERVAL_SECONDS))


@task()
def deliver_outbox() -> dict:
    """Deliver what is due now (enqueued after commit by ``queue_message``)."""
    result = deliver_due_messages()
    return {"sent": result.sent, "retrying": result.retrying, "dead": result.dead}


@task()
def deliver_outbox_periodic() -> dict:
    """The periodic delivery run. Schedules its own next run, even when this one failed."""
    try:
        return deliver_outbox.call()
    finally:
        schedule_outbox_run()


def schedule_outbox_run(delay: int | None = None) -> None:
    """Enqueue the next periodic run unless one is already waiting (so chains do not multiply).
    Registered with ``wangge.core.periodic``; the worker calls it at start with ``delay=0``."""
    schedule_once(deliver_outbox_periodic, delay=delivery_interval() if delay is None else delay)
