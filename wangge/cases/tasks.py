"""Background work through the django-tasks backport (durable database backend).

The sweep (亮灯 / 自动升级) reads only cases whose ``next_check_at`` has come (a partial index),
locks them with SKIP LOCKED so several workers share the work, and re-checks each row under the
lock: a case is escalated once per breach however many workers run. Each run schedules the next
one in the task table, so a restart loses nothing: the due work is in the cases themselves.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import Case

log = logging.getLogger("wangge.sweep")


@dataclass
class SweepResult:
    examined: int = 0
    lights: int = 0
    escalated: int = 0
    batches: int = 0
    outcomes: dict = field(default_factory=dict)


def run_sweep(*, now: dt.datetime | None = None, batch_size: int = 200, max_batches: int | None = None) -> SweepResult:
    """Process every case due at ``now``, in locked batches."""
    from .actions import check_deadline

    now = now or timezone.now()
    result = SweepResult()
    while max_batches is None or result.batches < max_batches:
        with transaction.atomic():
            due = list(
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("sla_policy")
                .filter(next_check_at__lte=now)
                .order_by("pk")[:batch_size]
            )
            if not due:
                break
            result.batches += 1
            for case in due:
                outcome = check_deadline(case, now)
                result.examined += 1
                result.lights += outcome == "light"
                result.escalated += outcome == "escalated"
        if len(due) < batch_size:
            break
    if result.examined:
        log.info("sweep: %d due, %d lights changed, %d escalated", result.examined, result.lights, result.escalated)
    return result


@task()
def sweep_deadlines() -> dict:
    """The periodic sweep. Schedules its own next run."""
    result = run_sweep()
    schedule_next_sweep()
    return {"examined": result.examined, "escalated": result.escalated}


def schedule_next_sweep(delay: int | None = None) -> None:
    """Enqueue the next sweep unless one is already waiting (so chains do not multiply)."""
    delay = settings.WANGGE_SWEEP_INTERVAL if delay is None else delay
    backend = sweep_deadlines.get_backend()
    if type(backend).__name__ == "DatabaseBackend":
        from django_tasks_db.models import DBTaskResult

        path = f"{sweep_deadlines.func.__module__}.{sweep_deadlines.func.__qualname__}"
        if DBTaskResult.objects.filter(task_path=path, status="READY").exists():
            return
        sweep_deadlines.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue()


@task()
def recompute_provisional_deadlines(year: int) -> int:
    """After a year's calendar is loaded: recompute every open case whose deadline was provisional."""
    from .actions import recompute_deadlines
    from .choices import OPEN_STATUSES

    n = 0
    for case in Case.objects.filter(deadline_provisional=True, status__in=OPEN_STATUSES).only("pk"):
        recompute_deadlines(case=case, reason=f"{year} working-day calendar loaded")
        n += 1
    return n
