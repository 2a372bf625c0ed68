"""Health (issue 8 §2): ``manage.py health`` and ``GET /healthz`` say when each periodic job last
ran ("cases.sla_sweep last ran 12 seconds ago") and fail when one is late, a worker is missing,
the database or the cache is broken; the worker records each run as it happens."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from wangge.core import periodic
from wangge.core.models import PeriodicJobState

DATABASE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                              "LOCATION": "wangge_no_such_cache_table"}}


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.WANGGE_SWEEP_INTERVAL = 30
    settings.WANGGE_WORKER_TIMEOUT = 45
    settings.WANGGE_HEALTH_GRACE = 60


def all_jobs_ran(seconds_ago: float = 5) -> None:
    at = timezone.now() - dt.timedelta(seconds=seconds_ago)
    for job in periodic.periodic_jobs():
        PeriodicJobState.objects.update_or_create(
            name=job.name, defaults={"last_started_at": at, "last_finished_at": at, "last_succeeded": True})


def checks_by_name(response) -> dict:
    return {c["name"]: c for c in response.json()["checks"]}


def test_healthz_is_200_when_the_workers_and_every_job_are_on_time(client, db, db_tasks):
    periodic.beat("w-1")
    all_jobs_ran(seconds_ago=12)
    response = client.get("/healthz")  # no login
    assert response.status_code == 200 and response.json()["status"] == "ok"
    sweep = checks_by_name(response)["cases.sla_sweep"]
    ago = sweep["data"]["seconds_since_last_run"]
    assert sweep["ok"] and 12 <= ago < 60
    assert f"{ago}" in sweep["detail"]
    assert checks_by_name(response)["workers"]["data"] == {"alive": 1}
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_503_and_says_how_late_the_sweep_is(client, db, db_tasks):
    periodic.beat("w-1")
    all_jobs_ran()
    three_minutes_ago = timezone.now() - dt.timedelta(minutes=3, seconds=10)
    PeriodicJobState.objects.filter(name="cases.sla_sweep").update(
        last_started_at=three_minutes_ago, last_finished_at=three_minutes_ago)  # 190 s > 30 + 45 + 60
    response = client.get("/healthz", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503 and response.json()["status"] == "fail"
    sweep = checks_by_name(response)["cases.sla_sweep"]
    assert not sweep["ok"] and sweep["data"]["late_after_seconds"] == 135
    assert sweep["data"]["seconds_since_last_run"] >= 190
    assert "late" in sweep["detail"] or "延误" in sweep["detail"]
    assert checks_by_name(response)["dashboard.refresh_stats"]["ok"]  # only the late job fails


def test_a_job_that_never_ran_and_no_live_worker_fail(client, db, db_tasks):
    periodic.beat("w-gone", now=timezone.now() - dt.timedelta(minutes=5))
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = checks_by_name(response)
    assert not checks["workers"]["ok"] and checks["workers"]["data"] == {"alive": 0}
    assert not checks["cases.sla_sweep"]["ok"]
    assert "wangge_worker" in checks["cases.sla_sweep"]["detail"]


def test_web_scope_ignores_the_worker_for_the_load_balancer(client, db, db_tasks):
    response = client.get("/healthz?scope=web")
    assert response.status_code == 200
    assert set(checks_by_name(response)) == {"database", "cache"}


def test_a_missing_cache_table_fails_the_health_check(client, db, settings):
    settings.CACHES = DATABASE_CACHE
    response = client.get("/healthz?scope=web")
    assert response.status_code == 503
    assert not checks_by_name(response)["cache"]["ok"]


def test_the_health_endpoint_tells_nothing_about_people(client, world, db_tasks):
    periodic.beat("w-1")
    all_jobs_ran()
    body = client.get("/healthz").content.decode()
    for user in world.users.values():
        assert user.username not in body
    assert "w-1" not in body  # not even the workers' names


def test_the_command_exits_1_when_late_and_0_when_healthy(db, db_tasks, capsys):
    periodic.beat("w-1")
    with pytest.raises(CommandError) as failed:
        call_command("health")
    assert failed.value.returncode == 1
    assert "FAIL" in capsys.readouterr().out
    all_jobs_ran(seconds_ago=3)
    call_command("health", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "ok"
    assert {c["name"] for c in report["checks"]} >= {"database", "cache", "workers", "cases.sla_sweep"}


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after each task
def test_the_worker_records_when_the_sweep_ran(db_tasks):
    """A sweep run by django-tasks-db's worker is recorded — start, finish, outcome, worker — and
    then the health check says when it last ran."""
    from django_tasks_db.models import DBTaskResult

    sweep = next(job for job in periodic.periodic_jobs() if job.name == "cases.sla_sweep")
    sweep.schedule()  # as wangge_worker does at start
    before = timezone.now()
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0, worker_id="w-test")
    state = PeriodicJobState.objects.get(name="cases.sla_sweep")
    assert state.last_started_at >= before and state.last_finished_at >= state.last_started_at
    assert (state.last_succeeded, state.last_worker, state.last_error) == (True, "w-test", "")
    assert state.task_path == "wangge.cases.tasks.sweep_deadlines"
    assert DBTaskResult.objects.filter(task_path=state.task_path, status="READY").count() == 1  # chain goes on
    from wangge.core.health import check_periodic_jobs

    assert next(c for c in check_periodic_jobs() if c.name == "cases.sla_sweep").ok


