"""The patrol schedule job (巡查任务生成), through django-tasks: a chain that re-schedules itself."""

from __future__ import annotations

from django_tasks import task

from wangge.core.periodic import schedule_once

SCHEDULE_INTERVAL = 900


@task()
def patrol_schedule() -> dict:
    """Make the coming days' slots and mark the closed ones missed; schedules its own next run."""
    from .actions import run_schedule

    result = run_schedule()
    schedule_patrols()
    return result


def schedule_patrols(delay: int | None = None) -> None:
    schedule_once(patrol_schedule, delay=SCHEDULE_INTERVAL if delay is None else delay)
