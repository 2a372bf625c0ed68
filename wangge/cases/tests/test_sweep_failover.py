"""The periodic chain heals itself (issue 8 §2): a worker killed in the middle of the sweep leaves
neither a task RUNNING for ever nor a broken chain — a live worker fails the lost run and starts
the sweep again, and no case is escalated twice.

The watchdog's steps run in-process on both databases; the last test kills a real worker process
(kill -9) next to a second one, on PostgreSQL only (SQLite's in-memory test database cannot be
shared with other processes).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from wangge.core import periodic
from wangge.core.management.commands import wangge_worker
from wangge.core.models import PeriodicJobState, WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[3]
SWEEP = "wangge.cases.tasks.sweep_deadlines"


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.WANGGE_WORKER_TIMEOUT = 45
    settings.WANGGE_TASK_STALE_SECONDS = 3600


def sweep_job() -> periodic.PeriodicJob:
    return next(job for job in periodic.periodic_jobs() if job.name == "cases.sla_sweep")


def sweeps(status: str):
    return DBTaskResult.objects.filter(task_path=SWEEP, status=status)


def sweep_claimed_by(worker_id: str, *, started_ago: float = 0) -> DBTaskResult:
    """The waiting sweep, claimed by ``worker_id`` as django-tasks-db's worker does."""
    sweep_job().schedule()  # what every worker does at start: the chain's first run
    row = sweeps("READY").get()
    row.claim(worker_id)
    if started_ago:
        DBTaskResult.objects.filter(pk=row.pk).update(started_at=timezone.now() - dt.timedelta(seconds=started_ago))
    return row


def test_a_sweep_left_running_by_a_dead_worker_is_failed_and_the_chain_restarted(db, db_tasks):
    now = timezone.now()
    periodic.beat("dead-1", now=now - dt.timedelta(seconds=120))  # silent for two minutes
    row = sweep_claimed_by("dead-1", started_ago=120)
    assert not sweeps("READY").exists()  # the run died before scheduling the next: no chain

    periodic.supervise("live-1")
    row.refresh_from_db()
    assert (row.status, row.exception_class_path) == ("FAILED", periodic.LOST_EXCEPTION)
    assert "dead-1" in row.traceback and row.finished_at is not None
    assert sweeps("READY").count() == 1 and not sweeps("RUNNING").exists()  # the chain runs again
    assert sweeps("READY").get().run_after <= timezone.now()  # overdue: at once

    periodic.supervise("live-2")  # a second live worker's watchdog adds nothing
    assert sweeps("READY").count() == 1
    assert WorkerHeartbeat.objects.filter(worker_id__startswith="live-").count() == 2


def test_a_sweep_running_on_a_live_worker_is_left_alone(db, db_tasks):
    periodic.beat("busy-1")
    row = sweep_claimed_by("busy-1", started_ago=600)  # a long sweep, but its worker beats
    periodic.supervise("live-1")
    row.refresh_from_db()
    assert row.status == "RUNNING"
    assert not sweeps("READY").exists()  # the running sweep schedules its successor itself
    sweep_job().schedule()  # nor does a worker starting beside it add a second sweep
    assert not sweeps("READY").exists()


def test_a_worker_without_heartbeat_gets_the_long_timeout(db, db_tasks):
    """A bare ``db_worker`` never beats: its task is failed only after WANGGE_TASK_STALE_SECONDS."""
    row = sweep_claimed_by("bare-db-worker", started_ago=600)
    periodic.supervise("live-1")
    row.refresh_from_db()
    assert row.status == "RUNNING"
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=timezone.now() - dt.timedelta(hours=2))
    periodic.supervise("live-1")
    row.refresh_from_db()
    assert row.status == "FAILED" and sweeps("READY").count() == 1


def test_a_restarted_chain_keeps_its_cadence(db, db_tasks, settings):
    """The last run started 10 s ago and its next was lost: the sweep (every 30 s) runs again in
    about 20 s, not at once and not 30 s late."""
    settings.WANGGE_SWEEP_INTERVAL = 30
    sweep_job().schedule()
    sweeps("READY").delete()  # the chain is gone
    PeriodicJobState.objects.create(name="cases.sla_sweep", last_started_at=timezone.now() - dt.timedelta(seconds=10))
    assert "cases.sla_sweep" in periodic.restart_broken_chains()
    wait = (sweeps("READY").get().run_after - timezone.now()).total_seconds()
    assert 10 < wait <= 20


def test_the_worker_beats_under_its_own_id_and_retires_when_it_stops(db, db_tasks, monkeypatch):
    seen = {}

    class FakeSupervisor:
        def __init__(self, worker_id):
            seen["supervised"] = worker_id

        def start(self):
            return self

        def stop(self):
            seen["stopped"] = True

    def fake_db_worker(name, **kwargs):
        seen["kwargs"] = kwargs
        seen["beating"] = list(WorkerHeartbeat.objects.values_list("worker_id", flat=True))

    monkeypatch.setattr(periodic, "Supervisor", FakeSupervisor)
    monkeypatch.setattr(wangge_worker, "call_command", fake_db_worker)
    call_command("wangge_worker", interval=0.5)
    worker_id = seen["kwargs"]["worker_id"]
    assert seen["beating"] == [worker_id] and seen["supervised"] == worker_id and seen["stopped"]
    assert f"-{os.getpid()}-" in worker_id
    assert not WorkerHeartbeat.objects.exists()  # a clean stop leaves no heartbeat behind
    assert sweeps("READY").count() == 1  # and it had started the chains


# --- real processes ---------------------------------------------------------------------------

WORKER = r"""
import os, sys, time
from django.conf import settings
# Short beats, leases and intervals, so that the test takes seconds, not minutes.
settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
settings.WANGGE_SWEEP_INTERVAL = 1
settings.WANGGE_WORKER_HEARTBEAT = 0.5
settings.WANGGE_WORKER_TIMEOUT = 3
settings.WANGGE_DASHBOARD_REFRESH_INTERVAL = 3600
settings.WANGGE_OUTBOX_INTERVAL = 3600
settings.WANGGE_REACTIONS_INTERVAL = 3600
import django
django.setup()
from wangge.cases import tasks

marker, original = sys.argv[1], tasks.run_sweep


def sweep_then_hang_once(**kwargs):
    # The first sweep of all the workers escalates one batch (committed), then hangs until killed.
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return original(**kwargs)
    original(batch_size=3, max_batches=1)
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    while True:
        time.sleep(60)


tasks.run_sweep = sweep_then_hang_once
from django.core.management import call_command
call_command("wangge_worker", interval=0.2, verbosity=0)
"""


def start_worker(marker: Path, log: Path) -> subprocess.Popen:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "WANGGE_TEST_DB": "postgres",
           "WANGGE_TEST_DATABASE_URL": url}
    with open(log, "w") as out:
        return subprocess.Popen([sys.executable, "-c", WORKER, str(marker)], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)


def poll(condition, *, timeout: float, what: str, logs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    output = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs if p.exists())
    raise AssertionError(f"not within {timeout} s: {what}\n{output}")


def overdue_cases(world, n: int):
    """``n`` cases dispatched a month ago with 24 hours to resolve: all due for escalation."""
    from wangge.cases import actions
    from wangge.cases.actions import Target
    from wangge.cases.models import SlaPolicy
    from wangge.org.choices import Role
    from wangge.testing import file_case, make_category, make_user

    make_user(Role.DEPARTMENT_OFFICER, department=world.departments["pingan"], username="officer_pa")
    policy = SlaPolicy.objects.create(name="24小时办结", resolve_value=24, resolve_unit="hours")
    category = make_category(department=world.departments["pingan"], policy=policy)
    clerk, cases = world.users["clerk"], []
    for _ in range(n):
        case = actions.accept_case(case=file_case(world, category=category), actor=clerk)
        cases.append(actions.dispatch_case(case=case, actor=clerk, lead=Target(department=world.departments["pingan"])))
    return cases


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (other processes)")
@pytest.mark.django_db(transaction=True)
def test_kill_9_the_sweeping_worker_and_the_other_takes_over(world, tmp_path, monkeypatch, settings):
    from wangge.cases.choices import CaseLevel, EventType
    from wangge.cases.models import Case, CaseEvent

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # the workers do it
    month_ago = timezone.now() - dt.timedelta(days=30)
    monkeypatch.setattr(timezone, "now", lambda: month_ago)
    cases = overdue_cases(world, 7)
    monkeypatch.undo()

    def escalations() -> dict[int, int]:
        counts = {c.pk: 0 for c in cases}
        for case_id in CaseEvent.objects.filter(type=EventType.ESCALATED).values_list("case_id", flat=True):
            counts[case_id] += 1
        return counts

    marker = tmp_path / "sweeping.pid"
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers = [start_worker(marker, logs[0]), start_worker(marker, logs[1])]
    try:
        pid = int(poll(lambda: marker.exists() and marker.read_text(), timeout=90,
                       what="a worker runs the sweep", logs=logs))
        killed = next(w for w in workers if w.pid == pid)
        survivor = next(w for w in workers if w.pid != pid)
        lost = sweeps("RUNNING").get()  # the sweep it is running, claimed under its worker id
        assert f"-{pid}-" in lost.worker_ids[-1]
        assert sorted(escalations().values()) == [0, 0, 0, 0, 1, 1, 1]  # one batch done and committed

        os.kill(pid, signal.SIGKILL)
        killed.wait(timeout=30)
        killed_at = timezone.now()

        poll(lambda: all(n == 1 for n in escalations().values()), timeout=90,
             what="the surviving worker sweeps the rest", logs=logs)
        lost.refresh_from_db()
        assert (lost.status, lost.exception_class_path) == ("FAILED", periodic.LOST_EXCEPTION)
        state = PeriodicJobState.objects.get(name="cases.sla_sweep")
        assert f"-{survivor.pid}-" in state.last_worker and state.last_started_at > killed_at
        assert survivor.poll() is None  # still running, sweeping on
        def next_sweep_done() -> bool:
            finished = PeriodicJobState.objects.get(name="cases.sla_sweep").last_finished_at
            return finished is not None and finished > state.last_started_at  # None while one starts

        poll(next_sweep_done, timeout=30, what="the next sweep completes", logs=logs)
        assert set(escalations().values()) == {1}  # not one case escalated twice
        assert set(Case.objects.values_list("current_level", flat=True)) == {CaseLevel.DISTRICT}
    finally:
        for w in workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=20)
            except subprocess.TimeoutExpired:
                w.kill()
                w.wait(timeout=10)
