"""The periodic background jobs, registered by each app and started by ``wangge_worker``.

An app registers its jobs in ``AppConfig.ready()``::

    from wangge.core.periodic import register_periodic
    register_periodic("cases.sla_sweep", "wangge.cases.tasks.schedule_next_sweep",
                      every_seconds=lambda: settings.WANGGE_SWEEP_INTERVAL)

``start`` (or its dotted path, imported when the worker starts) is either a callable
``start(delay=0)`` that makes sure the job's chain is scheduled — idempotent, because several
workers may start at once and each job keeps one chain (it re-schedules itself after every
run) — or a django-tasks ``Task``, which is then enqueued at each worker start.
``every_seconds`` (an int, or a callable read when asked) says how often the job runs, for the
worker's log; the job's own code decides when it runs next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    start: Callable[..., object] | str
    every_seconds: int | Callable[[], int] | None = None

    def interval(self) -> int | None:
        return self.every_seconds() if callable(self.every_seconds) else self.every_seconds

    def schedule(self) -> None:
        """Make sure the job is scheduled to run now."""
        start = import_string(self.start) if isinstance(self.start, str) else self.start
        if hasattr(start, "enqueue") and hasattr(start, "get_backend"):  # a django-tasks Task
            start.enqueue()
        else:
            start(delay=0)


_registry: dict[str, PeriodicJob] = {}


def register_periodic(name: str, start: Callable[..., object] | str, *,
                      every_seconds: int | Callable[[], int] | None = None) -> PeriodicJob:
    """Register (or replace) the periodic job ``name``; see the module docstring."""
    job = PeriodicJob(name=name, start=start, every_seconds=every_seconds)
    _registry[name] = job
    return job


def periodic_jobs() -> list[PeriodicJob]:
    """The registered jobs, in registration order."""
    return list(_registry.values())


def schedule_once(task, *, delay: float) -> bool:
    """Enqueue the django-tasks ``task`` to run ``delay`` seconds from now, unless a run of it is
    already waiting — so a job re-scheduling itself keeps one chain however many workers start.
    Only on the database backend; elsewhere (tests, the immediate backend) nothing is queued.
    Returns whether a run was enqueued."""
    import datetime as dt

    from django.utils import timezone

    if type(task.get_backend()).__name__ != "DatabaseBackend":
        return False
    from django_tasks_db.models import DBTaskResult

    fn = task.func
    if DBTaskResult.objects.filter(task_path=f"{fn.__module__}.{fn.__qualname__}", status="READY").exists():
        return False
    task.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue()
    return True
