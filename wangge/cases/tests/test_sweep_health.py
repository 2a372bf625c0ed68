"""A sweep run that fails is recorded as failed on the health page's job state."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import timezone

from wangge.cases.tasks import sweep_deadlines
from wangge.core import periodic
from wangge.core.models import PeriodicJobState
from wangge.core.tests.test_health import db_tasks  # noqa: F401 (fixture)


def test_a_failed_run_is_recorded_as_failed(db, db_tasks):
    for job in periodic.periodic_jobs():
        job.schedule()  # as a worker does at start: each job's task is learned
    result = SimpleNamespace(task=sweep_deadlines, started_at=None, finished_at=timezone.now(), worker_ids=["w-9"],
                             status="FAILED", errors=[SimpleNamespace(exception_class_path="builtins.RuntimeError")])
    periodic.record_task_finished(task_result=result)
    state = PeriodicJobState.objects.get(name="cases.sla_sweep")
    assert (state.last_succeeded, state.last_error, state.last_worker) == (False, "builtins.RuntimeError", "w-9")
