"""``manage.py check --deploy`` catches what breaks production silently (issue 8 §7): the database
cache's table missing, a default or weak SECRET_KEY, no worker running."""

from __future__ import annotations

import datetime as dt
import json
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
    pytest.param(STRONG_KEY, [], id="strong"),  # a fixed id: parallel workers collect the same tests
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


@pytest.mark.parametrize(("base", "expected"), [
    ("http://127.0.0.1:8000", ["wangge.core.W003"]),  # the development default
    ("http://localhost:8000", ["wangge.core.W003"]),
    ("https://wangge.example.gov.cn", []),
])
def test_a_public_address_left_at_the_loopback_is_a_warning(settings, base, expected):
    from wangge.core.checks import public_address

    settings.WANGGE_PUBLIC_BASE_URL = base
    assert ids(public_address()) == expected


PROD_SETTINGS_SCRIPT = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({"base": s.WANGGE_PUBLIC_BASE_URL, "hotline": s.WANGGE_OFFICE_HOTLINE,
                  "gateways": s.WANGGE_OUTBOX_GATEWAYS, "retention": s.WANGGE_AUDIT_RETENTION_DAYS,
                  "residents": s.WANGGE_RESIDENT_RETENTION_DAYS, "tiles": s.WANGGE_TILE_URL,
                  "amber": s.WANGGE_AMBER_RATIO, "proxies": s.WANGGE_TRUSTED_PROXIES}))
"""


def _prod(tmp_path, **env):
    import os
    import subprocess
    import sys
    from pathlib import Path

    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.prod", "SECRET_KEY": STRONG_KEY,
               "ALLOWED_HOSTS": "wangge.example.gov.cn", "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}", **env}
    return subprocess.run([sys.executable, "-c", PROD_SETTINGS_SCRIPT], cwd=Path(__file__).resolve().parents[3],
                          env=environ, capture_output=True, text=True, timeout=120, check=False)


def test_production_takes_every_setting_from_the_environment(tmp_path):
    """What an office configures — the address in its QR codes, its SMS gateway, its hotline, how long
    records are kept — is set in the environment, not by editing code."""
    done = _prod(tmp_path, WANGGE_PUBLIC_BASE_URL="https://wangge.example.gov.cn", WANGGE_OFFICE_HOTLINE="010-12345",
                 WANGGE_OUTBOX_GATEWAYS='{"sms": "wangge.notifications.gateways.FileGateway"}',
                 WANGGE_AUDIT_RETENTION_DAYS="400", WANGGE_RESIDENT_RETENTION_DAYS="730",
                 WANGGE_TILE_URL="https://tiles.intra/{z}/{x}/{y}.png", WANGGE_AMBER_RATIO="0.75",
                 WANGGE_TRUSTED_PROXIES="10.0.0.5, 172.16.0.0/12")
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got == {"base": "https://wangge.example.gov.cn", "hotline": "010-12345",
                   "gateways": {"sms": "wangge.notifications.gateways.FileGateway"}, "retention": 400,
                   "residents": 730, "tiles": "https://tiles.intra/{z}/{x}/{y}.png", "amber": 0.75,
                   "proxies": ["10.0.0.5", "172.16.0.0/12"]}


def test_a_setting_given_in_the_wrong_shape_stops_the_start_with_its_name(tmp_path):
    done = _prod(tmp_path, WANGGE_AUDIT_RETENTION_DAYS="a year")
    assert done.returncode != 0 and "WANGGE_AUDIT_RETENTION_DAYS" in done.stderr
