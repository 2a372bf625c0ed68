"""Background upkeep of the dashboard rollups, through django-tasks (like the deadline sweep)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from wangge.core.periodic import schedule_once

from .rollup import refresh_stats, stats_state


def refresh_interval() -> int:
    return int(getattr(settings, "WANGGE_DASHBOARD_REFRESH_INTERVAL", 60))


@task()
def refresh_dashboard_stats() -> dict:
    """Add the changes of the cases changed since the last run to the rollups; schedules its own
    next run."""
    result = refresh_stats()
    schedule_refresh()
    return {"days": result.days, "cases": result.cases, "full": result.full, "ms": result.ms}


def schedule_refresh(delay: int | None = None) -> None:
    """Enqueue the next refresh unless one is already waiting (so chains do not multiply).
    Other backends (tests run tasks immediately): nothing is queued; the view refreshes in-line."""
    schedule_once(refresh_dashboard_stats, delay=refresh_interval() if delay is None else delay)


def ensure_fresh() -> None:
    """Called by the dashboard: build the rollups the first time (in-line), and restart the
    refresh chain when it has stopped (no worker ran it for two intervals)."""
    state = stats_state()
    if state is None or state.watermark is None:
        refresh_stats()
        schedule_refresh()
        return
    stale = timezone.now() - state.refreshed_at > dt.timedelta(seconds=2 * refresh_interval())
    if stale:
        if type(refresh_dashboard_stats.get_backend()).__name__ == "DatabaseBackend":
            schedule_refresh(delay=0)
        else:
            refresh_stats()
