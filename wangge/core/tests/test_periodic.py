"""core.periodic: each app registers its periodic jobs; ``wangge_worker`` starts them all."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from wangge.core import periodic
from wangge.core.management.commands import wangge_worker


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(periodic, "_registry", {})
    return periodic._registry


def test_the_apps_register_their_jobs():
    jobs = {job.name: job for job in periodic.periodic_jobs()}
    assert {"cases.sla_sweep", "dashboard.refresh_stats"} <= set(jobs)
    assert jobs["cases.sla_sweep"].start == "wangge.cases.tasks.schedule_next_sweep"
    assert jobs["dashboard.refresh_stats"].start == "wangge.dashboard.tasks.schedule_refresh"
    assert all(isinstance(job.interval(), int) for job in jobs.values())


calls: list = []


def start_by_path(delay=None):
    calls.append(("path", delay))


class FakeTask:
    """What the worker needs of a django-tasks Task."""

    def get_backend(self):
        return None

    def enqueue(self):
        calls.append(("task", None))


def test_the_worker_starts_every_job_then_runs_the_queue(registry, monkeypatch):
    calls.clear()
    periodic.register_periodic("a", lambda delay=None: calls.append(("callable", delay)), every_seconds=5)
    periodic.register_periodic("b", f"{__name__}.start_by_path", every_seconds=lambda: 7)
    periodic.register_periodic("c", FakeTask())
    periodic.register_periodic("a", lambda delay=None: calls.append(("replaced", delay)))  # same name: replaced
    monkeypatch.setattr(wangge_worker, "call_command", lambda name, **kw: calls.append((name, kw)))
    call_command("wangge_worker", interval=0.5)
    assert calls == [("replaced", 0), ("path", 0), ("task", None),
                     ("db_worker", {"interval": 0.5, "reload": False})]
    assert [job.interval() for job in periodic.periodic_jobs()] == [None, 7, None]
