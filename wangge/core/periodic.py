"""The periodic background jobs, registered by each app and started by ``wangge_worker``.

An app registers its jobs in ``AppConfig.ready()``::

    from wangge.core.periodic import register_periodic
    register_periodic("cases.sla_sweep", "wangge.cases.tasks.schedule_next_sweep",
                      every_seconds=lambda: settings.WANGGE_SWEEP_INTERVAL)

``start`` (or its dotted path, imported when the worker starts) is either a callable
``start(delay=0)`` that makes sure the job's chain is scheduled — idempotent, because several
workers may start at once and each job keeps one chain (it re-schedules itself after every
run, through ``schedule_once``) — or a django-tasks ``Task``, which is then enqueued at each
worker start. ``every_seconds`` (an int, or a callable read when asked) says how often the job
runs; the job's own code decides when it runs next.

Self-healing (so that a worker killed in the middle of a run stops nothing for long):

- every ``wangge_worker`` process keeps a ``WorkerHeartbeat`` row fresh from a side thread
  (every ``WANGGE_WORKER_HEARTBEAT`` seconds) and, on the same beat, runs ``supervise()``;
- a task row left RUNNING by a worker silent for ``WANGGE_WORKER_TIMEOUT`` seconds (or, for a
  worker that never beat, RUNNING for ``WANGGE_TASK_STALE_SECONDS``) is marked FAILED
  (``recover_lost_tasks``) — it no longer stays RUNNING for ever;
- a chain job with neither a waiting (READY) nor a running run has lost its chain: it is
  started again, keeping its cadence (``restart_broken_chains``). The job's task is known from
  ``register_periodic(task=…)``, from a ``Task`` start, or learned when its start calls
  ``schedule_once`` (all of the platform's jobs do);
- when each job last started and finished is kept in ``PeriodicJobState`` (from django-tasks'
  ``task_started`` / ``task_finished`` signals), for ``core.health`` ("sweep last ran 12 s ago").

A job's own work must be safe when two runs overlap (a worker thought dead may still finish):
the sweep, the outbox and the reactions all lock their rows with SKIP LOCKED.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import os
import socket
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

log = logging.getLogger("wangge.worker")

DEFAULT_HEARTBEAT_SECONDS = 10
DEFAULT_WORKER_TIMEOUT = 45  # a worker silent this long is dead: beat + timeout stays under a minute
DEFAULT_TASK_STALE_SECONDS = 3600  # RUNNING rows of a worker that never beat (a bare db_worker)
DEFAULT_GRACE_SECONDS = 60
HEARTBEAT_KEEP = dt.timedelta(days=1)  # rows of workers gone this long are deleted
LOST_EXCEPTION = "wangge.core.periodic.WorkerLost"


def heartbeat_seconds() -> float:
    return float(getattr(settings, "WANGGE_WORKER_HEARTBEAT", DEFAULT_HEARTBEAT_SECONDS))


def worker_timeout() -> float:
    return float(getattr(settings, "WANGGE_WORKER_TIMEOUT", DEFAULT_WORKER_TIMEOUT))


def task_stale_seconds() -> float:
    return float(getattr(settings, "WANGGE_TASK_STALE_SECONDS", DEFAULT_TASK_STALE_SECONDS))


def _is_task(obj) -> bool:
    return hasattr(obj, "enqueue") and hasattr(obj, "get_backend")


def uses_database_backend(task=None) -> bool:
    """Whether background work goes through django-tasks-db (the worker's table), not the
    immediate backend the tests use."""
    if task is not None:
        backend = task.get_backend()
    else:
        from django_tasks import task_backends

        backend = task_backends["default"]
    return type(backend).__name__ == "DatabaseBackend"


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    start: Callable[..., object] | str
    every_seconds: int | Callable[[], int] | None = None
    task: object | str | None = None

    def interval(self) -> int | None:
        return self.every_seconds() if callable(self.every_seconds) else self.every_seconds

    def _start(self):
        return import_string(self.start) if isinstance(self.start, str) else self.start

    def is_chain(self) -> bool:
        """A chain job re-schedules itself; a ``Task`` start is enqueued once per worker start."""
        return not _is_task(self._start())

    def chain_task(self):
        """The django-tasks ``Task`` whose runs make up this job, if known."""
        if self.task is not None:
            return import_string(self.task) if isinstance(self.task, str) else self.task
        start = self._start()
        if _is_task(start):
            return start
        return _learned.get(self.name)

    def task_path(self) -> str | None:
        task = self.chain_task()
        return task.module_path if task is not None and hasattr(task, "module_path") else None

    def schedule(self, *, delay: float = 0) -> None:
        """Make sure the job is scheduled to run ``delay`` seconds from now."""
        start = self._start()
        if _is_task(start):  # a django-tasks Task
            start.enqueue()
            return
        token = _starting.set(self.name)
        try:
            start(delay=delay)
        finally:
            _starting.reset(token)


_registry: dict[str, PeriodicJob] = {}
_learned: dict[str, object] = {}  # job name → the task its start enqueued through schedule_once
_starting: contextvars.ContextVar[str | None] = contextvars.ContextVar("wangge_periodic_starting", default=None)


def register_periodic(name: str, start: Callable[..., object] | str, *,
                      every_seconds: int | Callable[[], int] | None = None,
                      task: object | str | None = None) -> PeriodicJob:
    """Register (or replace) the periodic job ``name``; see the module docstring. ``task``: the
    django-tasks ``Task`` (or its dotted path) each run executes, when ``start`` does not
    enqueue it through ``schedule_once``."""
    job = PeriodicJob(name=name, start=start, every_seconds=every_seconds, task=task)
    _registry[name] = job
    return job


def periodic_jobs() -> list[PeriodicJob]:
    """The registered jobs, in registration order."""
    return list(_registry.values())


def _lock_key(task_path: str) -> int:
    return zlib.crc32(f"wangge.periodic:{task_path}".encode())


def _lock_chain(task_path: str) -> None:
    """Inside a transaction: serialise everything that checks-then-enqueues this task's chain
    (workers finishing a run, starting, or the watchdog), until commit. PostgreSQL only; SQLite
    has a single writer anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(task_path)])


def schedule_once(task, *, delay: float) -> bool:
    """Enqueue the django-tasks ``task`` to run ``delay`` seconds from now, unless a run of it is
    already waiting — so a job re-scheduling itself keeps one chain however many workers start.
    Only on the database backend; elsewhere (tests, the immediate backend) nothing is queued.
    Returns whether a run was enqueued.

    Called while a job is (re)started (``PeriodicJob.schedule``: a worker starting, the
    watchdog), a running run also counts as the chain: a worker starting beside one that is
    sweeping adds no second sweep. (A run on a dead worker is failed by the watchdog, which then
    starts the chain again.)"""
    starting = _starting.get()
    if starting is not None:
        _learned[starting] = task
    if not uses_database_backend(task):
        return False
    from django_tasks_db.models import DBTaskResult

    alive = ["READY", "RUNNING"] if starting is not None else ["READY"]
    with transaction.atomic():
        _lock_chain(task.module_path)
        if DBTaskResult.objects.filter(task_path=task.module_path, status__in=alive).exists():
            return False
        task.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue()
    return True


# --- what each job last did (django-tasks signals, in whichever process runs the task) ---------

def job_for_task_path(path: str) -> PeriodicJob | None:
    for job in _registry.values():
        try:
            if job.task_path() == path:
                return job
        except ImportError:
            continue
    return None


def _record(task_result, **values) -> None:
    from .models import PeriodicJobState

    job = job_for_task_path(task_result.task.module_path)
    if job is None:
        return
    worker_ids = list(getattr(task_result, "worker_ids", None) or [])
    if worker_ids:
        values["last_worker"] = str(worker_ids[-1])[:64]
    try:
        with transaction.atomic():  # a savepoint: a failure here must not spoil the caller's transaction
            PeriodicJobState.objects.update_or_create(
                name=job.name, defaults={"task_path": task_result.task.module_path, **values})
    except Exception:  # never fail the job because its bookkeeping failed
        log.exception("periodic: could not record the run of %s", job.name)


def record_task_started(sender=None, task_result=None, **kwargs) -> None:
    """``task_started`` receiver (connected in ``CoreConfig.ready``)."""
    if task_result is not None:
        _record(task_result, last_started_at=task_result.started_at or timezone.now())


def record_task_finished(sender=None, task_result=None, **kwargs) -> None:
    """``task_finished`` receiver (connected in ``CoreConfig.ready``)."""
    if task_result is None:
        return
    errors = list(getattr(task_result, "errors", None) or [])
    succeeded = str(getattr(task_result.status, "value", task_result.status)) == "SUCCESSFUL"
    _record(task_result, last_finished_at=task_result.finished_at or timezone.now(), last_succeeded=succeeded,
            last_error="" if succeeded or not errors else errors[-1].exception_class_path[:300])


# --- workers' heartbeats and the watchdog ----------------------------------------------------

def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"[-64:]


def beat(worker_id: str, *, now: dt.datetime | None = None) -> None:
    """Say that the worker ``worker_id`` is alive."""
    from .models import WorkerHeartbeat

    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"seen_at": now},
        create_defaults={"seen_at": now, "started_at": now, "hostname": socket.gethostname()[:255],
                         "pid": os.getpid()})


def retire_worker(worker_id: str) -> None:
    """A worker that stops cleanly removes its heartbeat (it finished its task before stopping)."""
    from .models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def live_worker_count(*, now: dt.datetime | None = None) -> int:
    from .models import WorkerHeartbeat

    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(seen_at__gte=now - dt.timedelta(seconds=worker_timeout())).count()


def recover_lost_tasks(*, now: dt.datetime | None = None) -> list[str]:
    """Mark FAILED the task rows left RUNNING by a dead worker. Returns their task paths."""
    from django_tasks_db.models import DBTaskResult

    from .models import WorkerHeartbeat

    now = now or timezone.now()
    dead_after = now - dt.timedelta(seconds=worker_timeout())
    orphan_after = now - dt.timedelta(seconds=task_stale_seconds())
    seen = dict(WorkerHeartbeat.objects.values_list("worker_id", "seen_at"))
    lost = []
    for row in DBTaskResult.objects.filter(status="RUNNING").only("id", "worker_ids", "started_at", "task_path"):
        worker = row.worker_ids[-1] if row.worker_ids else None
        if worker in seen:
            dead = seen[worker] < dead_after
        else:  # a worker without a heartbeat (a bare db_worker, or one that left): wait much longer
            dead = row.started_at is None or row.started_at < orphan_after
        if not dead:
            continue
        # Conditional: a worker that was only slow and has just finished keeps its own outcome.
        failed = DBTaskResult.objects.filter(pk=row.pk, status="RUNNING").update(
            status="FAILED", finished_at=now, exception_class_path=LOST_EXCEPTION,
            traceback=f"WorkerLost: worker {worker} stopped (no heartbeat) while running this task.\n")
        if failed:
            log.warning("worker %s is gone: task %s (%s) marked failed", worker, row.pk, row.task_path)
            lost.append(row.task_path)
    return lost


def restart_broken_chains(*, now: dt.datetime | None = None) -> list[str]:
    """Start again every chain job with no run waiting and none running (its last run died
    before it could schedule the next), keeping its cadence. Returns the jobs restarted."""
    from django_tasks_db.models import DBTaskResult

    from .models import PeriodicJobState

    now = now or timezone.now()
    restarted = []
    for job in periodic_jobs():
        try:
            if not job.is_chain():
                continue
            task = job.chain_task()
            if task is None or not uses_database_backend(task):
                continue
            path = task.module_path
            with transaction.atomic():
                _lock_chain(path)
                if DBTaskResult.objects.filter(task_path=path, status__in=["READY", "RUNNING"]).exists():
                    continue
                state = PeriodicJobState.objects.filter(name=job.name).first()
                delay = 0.0
                if state is not None and state.last_started_at is not None:
                    since = (now - state.last_started_at).total_seconds()
                    delay = max(0.0, min(float(job.interval() or 0), float(job.interval() or 0) - since))
                job.schedule(delay=delay)
            log.warning("periodic job %s had lost its chain: started again (in %.0f s)", job.name, delay)
            restarted.append(job.name)
        except Exception:
            log.exception("periodic: could not check the chain of %s", job.name)
    return restarted


def supervise(worker_id: str, *, now: dt.datetime | None = None) -> None:
    """One beat of a worker's watchdog: heartbeat, recover dead workers' tasks, restart chains."""
    from .models import WorkerHeartbeat

    now = now or timezone.now()
    beat(worker_id, now=now)
    recover_lost_tasks(now=now)
    restart_broken_chains(now=now)
    WorkerHeartbeat.objects.filter(seen_at__lt=now - HEARTBEAT_KEEP).delete()


class Supervisor:
    """The worker's side thread: ``supervise`` every ``WANGGE_WORKER_HEARTBEAT`` seconds, also
    while the main thread runs a long task. It dies with the process (kill -9 included), which is
    what lets the other workers notice."""

    def __init__(self, worker_id: str):
        self.worker_id = worker_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wangge-supervisor", daemon=True)

    def start(self) -> Supervisor:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=heartbeat_seconds() + 5)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                close_old_connections()
                try:
                    supervise(self.worker_id)
                except Exception:
                    log.exception("worker %s: watchdog beat failed", self.worker_id)
                    connection.close()  # a broken connection is opened afresh at the next beat
                self._stop.wait(heartbeat_seconds())
        finally:
            connection.close()
