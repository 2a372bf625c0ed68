"""The meetings' periodic job: create the next meeting of each schedule and remind conveners."""

from __future__ import annotations

from django_tasks import task

from wangge.core.periodic import schedule_once

INTERVAL = 3600


@task()
def run_schedules() -> dict:
    from .actions import create_due_meetings

    made = create_due_meetings()
    schedule_next_run()
    return {"meetings": made}


def schedule_next_run(delay: int | None = None) -> None:
    """Enqueue the next run unless one is waiting (one chain however many workers start)."""
    schedule_once(run_schedules, delay=INTERVAL if delay is None else delay)
