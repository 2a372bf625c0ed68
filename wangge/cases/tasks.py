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
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from wangge.core.periodic import schedule_once
from wangge.notifications import services as notifications

from . import events
from .models import Case, CaseAssignment

log = logging.getLogger("wangge.sweep")
RETRY_SECONDS = 300  # a case the sweep failed to check is looked at again this much later


@dataclass
class SweepResult:
    examined: int = 0
    lights: int = 0
    escalated: int = 0
    batches: int = 0
    outcomes: dict = field(default_factory=dict)


def run_sweep(*, now: dt.datetime | None = None, batch_size: int = 200, max_batches: int | None = None) -> SweepResult:
    """Process every case due at ``now``, in locked batches."""
    from .actions import sweep_lookup_cache

    with sweep_lookup_cache():
        return _sweep(now=now or timezone.now(), batch_size=batch_size, max_batches=max_batches)


def _sweep(*, now: dt.datetime, batch_size: int, max_batches: int | None) -> SweepResult:
    from .actions import check_deadline, postpone_check

    result = SweepResult()
    failed: list[int] = []
    active = Prefetch("assignments", queryset=CaseAssignment.objects.filter(active=True).select_related("user"))
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
            prefetch_related_objects(due, active)
            result.batches += 1
            result.examined += len(due)
            outcomes = _check_batch(check_deadline, due, now)
            if outcomes is None:
                # Some case failed: redo the batch one case at a time, so that only it is skipped.
                outcomes = []
                due = list(Case.objects.select_for_update(of=("self",)).select_related("sla_policy")
                           .filter(pk__in=[c.pk for c in due]).order_by("pk"))
                prefetch_related_objects(due, active)
                for case in due:
                    try:
                        with transaction.atomic():  # one bad case must not stop the sweep
                            outcomes.append(check_deadline(case, now))
                    except Exception:
                        log.exception("sweep: case %s could not be checked; retrying later", case.pk)
                        failed.append(case.pk)
            result.lights += outcomes.count("light")
            result.escalated += outcomes.count("escalated")
        for pk in failed:
            postpone_check(case=pk, until=now + dt.timedelta(seconds=RETRY_SECONDS))
        failed.clear()
        if len(due) < batch_size:
            break
    if result.examined:
        log.info("sweep: %d due, %d lights changed, %d escalated", result.examined, result.lights, result.escalated)
    return result


def _check_batch(check_deadline, due: list[Case], now: dt.datetime) -> list[str] | None:
    """The fast path: a whole batch in one savepoint, its timeline events and notifications
    written in one INSERT each, its light changes in one UPDATE per group. None if any case
    failed (nothing of the batch is kept then)."""
    from .actions import deferred_light_saves

    try:
        with transaction.atomic(), events.buffered(), notifications.buffered(), deferred_light_saves():
            return [check_deadline(case, now) for case in due]
    except Exception:
        return None


@task()
def sweep_deadlines() -> dict:
    """The periodic sweep. Schedules its own next run."""
    try:
        result = run_sweep()
    finally:
        # Even a failed sweep must not break the chain.
        schedule_next_sweep()
    return {"examined": result.examined, "escalated": result.escalated}


def schedule_next_sweep(delay: int | None = None) -> None:
    """Enqueue the next sweep unless one is already waiting (so chains do not multiply).
    Registered with ``core.periodic``, whose worker watchdog starts the chain again if a worker
    dies in the middle of a sweep."""
    schedule_once(sweep_deadlines, delay=settings.WANGGE_SWEEP_INTERVAL if delay is None else delay)


@task()
def recompute_provisional_deadlines(year: int) -> int:
    """After a year's calendar is loaded: recompute every open case whose deadline was provisional."""
    from .actions import recompute_deadlines
    from .choices import OPEN_STATUSES

    with translation.override(settings.LANGUAGE_CODE):
        reason = _("The working-day calendar of %(year)d was loaded.") % {"year": year}
    n = 0
    for case in Case.objects.filter(deadline_provisional=True, status__in=OPEN_STATUSES).only("pk"):
        recompute_deadlines(case=case, reason=reason)
        n += 1
    return n
