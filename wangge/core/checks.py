"""Deployment checks (``manage.py check --deploy``) for what breaks production silently:

- ``wangge.core.E001`` the database cache's table is missing (every page using the cache — the
  resident tracking pages' rate limits — is a 500 until ``manage.py createcachetable``);
- ``wangge.core.E002`` / ``E003`` the ``SECRET_KEY`` is a known default, or short / low in
  variety (anyone knowing it forges sessions and password-reset links);
- ``wangge.core.W001`` no worker is running: no periodic job (the deadline sweep …) has run
  for ``WANGGE_WORKER_CHECK_MINUTES`` minutes. A warning, as a fresh install checks before its
  first worker starts;
- ``wangge.core.W003`` the public address (links, QR codes) is still the development default.

They read the database; when it cannot be reached they say so (``W002``) rather than fail.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.checks import Error, Warning, register

DATABASE_CACHE = "django.core.cache.backends.db.DatabaseCache"
# Keys that have been in this repository or in Django's templates: never valid in production.
KNOWN_KEYS = {"insecure-dev-key-change-me", "test-secret", "change-me", "changeme", "secret", "dev"}
MIN_KEY_LENGTH = 50
MIN_KEY_CHARS = 5
DEFAULT_WORKER_CHECK_MINUTES = 10


@register(deploy=True)
def database_cache_table(app_configs=None, **kwargs):
    from django.core.cache import caches
    from django.db import connections, router

    messages = []
    for alias, config in settings.CACHES.items():
        if config.get("BACKEND") != DATABASE_CACHE:
            continue
        cache = caches[alias]
        table = cache._table
        db = router.db_for_read(cache.cache_model_class)
        try:
            with connections[db].cursor() as cursor:
                tables = set(connections[db].introspection.table_names(cursor))
        except Exception as exc:
            messages.append(_unreachable(exc))
            continue
        if table not in tables:
            messages.append(Error(
                f"The cache '{alias}' uses the database table '{table}', which does not exist: every "
                f"page that uses the cache fails with a server error.",
                hint="Run 'manage.py createcachetable'.",
                id="wangge.core.E001",
            ))
    return messages


@register(deploy=True)
def public_address(app_configs=None, **kwargs):
    """The links in texts to residents and the 码上办 QR codes carry ``WANGGE_PUBLIC_BASE_URL``: left
    at the development default, every printed code and every SMS link opens nothing."""
    base = getattr(settings, "WANGGE_PUBLIC_BASE_URL", "")
    if public_address_unset():
        return [Warning(
            f"WANGGE_PUBLIC_BASE_URL is {base!r}: QR codes and the links sent to residents would open nothing.",
            hint="Set the WANGGE_PUBLIC_BASE_URL environment variable to the address residents reach the "
                 "platform at (https://wangge.example.gov.cn).",
            id="wangge.core.W003")]
    return []


def public_address_unset() -> bool:
    """``WANGGE_PUBLIC_BASE_URL`` is empty or a local address: nothing outside this machine opens it
    (also the admin's readiness panel, for the channels that print or send it)."""
    from urllib.parse import urlsplit

    host = urlsplit(str(getattr(settings, "WANGGE_PUBLIC_BASE_URL", "") or "")).hostname or ""
    return host in ("", "localhost", "127.0.0.1", "::1") or host.startswith("127.")


@register(deploy=True)
def secret_key_strength(app_configs=None, **kwargs):
    key = str(getattr(settings, "SECRET_KEY", "") or "")
    if key in KNOWN_KEYS or key.startswith("django-insecure-"):
        return [Error(
            "SECRET_KEY is a known default: anyone can forge sessions and password-reset links.",
            hint="Set SECRET_KEY to a long random value, e.g. from "
                 "'python -c \"import secrets; print(secrets.token_urlsafe(50))\"'.",
            id="wangge.core.E002",
        )]
    if len(key) < MIN_KEY_LENGTH or len(set(key)) < MIN_KEY_CHARS:
        return [Error(
            f"SECRET_KEY is too short or too uniform (at least {MIN_KEY_LENGTH} characters, "
            f"{MIN_KEY_CHARS} different ones).",
            hint="Set SECRET_KEY to a long random value, e.g. from "
                 "'python -c \"import secrets; print(secrets.token_urlsafe(50))\"'.",
            id="wangge.core.E003",
        )]
    return []


@register(deploy=True)
def worker_running(app_configs=None, **kwargs):
    from django.utils import timezone

    from . import periodic

    if not periodic.uses_database_backend():
        return []  # tasks run in-process: there is no worker to run
    from .models import PeriodicJobState

    minutes = int(getattr(settings, "WANGGE_WORKER_CHECK_MINUTES", DEFAULT_WORKER_CHECK_MINUTES))
    since = timezone.now() - dt.timedelta(minutes=minutes)
    try:
        ran = (PeriodicJobState.objects.filter(last_started_at__gte=since).exists()
               or PeriodicJobState.objects.filter(last_finished_at__gte=since).exists())
    except Exception as exc:
        return [_unreachable(exc)]
    if ran:
        return []
    return [Warning(
        f"No periodic job (the deadline sweep, the outbox …) has run in the last {minutes} minutes: "
        f"overdue cases are not escalated and messages are not sent.",
        hint="Start 'manage.py wangge_worker' (one or more); 'manage.py health' shows each job.",
        id="wangge.core.W001",
    )]


def _unreachable(exc: Exception) -> Warning:
    return Warning(f"Could not read the database to check the deployment ({type(exc).__name__}: {exc}).",
                   hint="Run the check where the database is reachable, after 'manage.py migrate'.",
                   id="wangge.core.W002")
