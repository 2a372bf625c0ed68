"""``manage.py check --deploy`` catches what breaks production silently (issue 8 §7): the database
cache's table missing, a default or weak SECRET_KEY, no worker running."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone

from wangge.core.checks import database_cache_table, secret_key_strength, worker_running
from wangge.core.models import PeriodicJobState

STRONG_KEY = secrets.token_urlsafe(50)


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_a_missing_database_cache_table_is_an_error_until_createcachetable(db, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                   "LOCATION": "wangge_test_cache"}}
    problems = database_cache_table()
    assert ids(problems) == ["wangge.core.E001"]
    assert "createcachetable" in problems[0].hint and "wangge_test_cache" in problems[0].msg
    call_command("createcachetable", verbosity=0)
    assert database_cache_table() == []


def test_other_caches_need_no_table(db, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert database_cache_table() == []


@pytest.mark.parametrize(("key", "expected"), [
    ("insecure-dev-key-change-me", ["wangge.core.E002"]),  # the one in config/settings/base.py
    ("django-insecure-" + "x1y2z3" * 10, ["wangge.core.E002"]),  # startproject's
    ("s3cr3t-but-short", ["wangge.core.E003"]),
    ("ab" * 40, ["wangge.core.E003"]),  # long, but two characters
    (STRONG_KEY, []),
])
def test_a_default_or_weak_secret_key_is_an_error(settings, key, expected):
    settings.SECRET_KEY = key
    assert ids(secret_key_strength()) == expected


def test_no_periodic_job_run_for_ten_minutes_means_no_worker(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    assert ids(worker_running()) == ["wangge.core.W001"]  # never ran
    PeriodicJobState.objects.create(name="cases.sla_sweep", last_started_at=timezone.now() - dt.timedelta(minutes=11))
    assert ids(worker_running()) == ["wangge.core.W001"]
    PeriodicJobState.objects.filter(name="cases.sla_sweep").update(last_finished_at=timezone.now())
    assert worker_running() == []


def test_without_the_database_task_backend_there_is_no_worker_to_check(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert worker_running() == []


def test_check_deploy_runs_the_project_checks(db, settings):
    settings.SECRET_KEY = "insecure-dev-key-change-me"
    with pytest.raises(SystemCheckError) as failed:
        call_command("check", "--deploy")
    assert "wangge.core.E002" in str(failed.value)
    settings.SECRET_KEY = STRONG_KEY
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with pytest.raises(SystemCheckError) as failed:  # Django's own deploy errors remain, with our warning
        call_command("check", "--deploy", "--fail-level", "WARNING")
    assert "wangge.core.W001" in str(failed.value) and "wangge.core.E00" not in str(failed.value)
