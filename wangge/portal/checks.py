"""Deployment check: the resident pages' rate limits (ratelimit.py) count attempts in Django's
default cache, which must be shared by every web process — with a per-process cache, four
gunicorn workers allow four times the attempts at guessing a case's phone digits."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning, register

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(deploy=True)
def shared_cache_for_rate_limits(app_configs=None, **kwargs):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [Warning(
        "The default cache is per process: the resident pages' rate limits are counted in each "
        "web process separately.",
        hint="Set REDIS_URL, or use the database cache (config.settings.prod does without "
             "REDIS_URL; run 'manage.py createcachetable').",
        id="wangge.portal.W001",
    )]
