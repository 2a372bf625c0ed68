"""Attempt counting (限流) on Django's cache: a fixed window per (scope, key) — for any app.

Fixed windows are crude (a burst at a window's edge may reach twice the limit) but need one
cache round trip per attempt and no cleanup; they bound guessing and flooding, which is all the
resident pages need. The limits can be tuned in settings: ``WANGGE_RATE_LIMITS = {scope: (count, seconds)}``
(``WANGGE_PORTAL_LIMITS``, its older name, is still read); an app adds its own scopes with
``register_limit``. With several web processes, point ``CACHES["default"]`` at a shared cache (Redis,
database) so that every process counts the same attempts.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from .http import client_ip as api_client_ip

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    # Reports filed per client address (the report page and the join count only what they file;
    # "report_attempt", registered by the portal, bounds every post, valid or not).
    "report": (20, 3600),
    # Tracking lookups (number + phone digits) per client address.
    "lookup": (30, 600),
    # Failed lookups of one case number from one client address: wrong digits lock that number
    # for that client only, never for the resident asking from elsewhere.
    "lookup_number_client": (5, 3600),
    # Failed lookups of one case number from all addresses together: a ceiling far above what one
    # client may do, because the 4 phone digits (10,000 values) are all that guards a case's page
    # and addresses are cheap (an IPv6 host has a whole /64): without it, enough addresses would
    # guess any number's digits within hours. Reaching it takes failures from at least
    # count / lookup_number_client addresses, and even then it only stops lookups by number: the
    # tracking link sent to the resident needs no digits and is never refused for it.
    "lookup_number": (50, 86400),
    # Unknown tracking links per client address.
    "token": (30, 600),
}


def register_limit(scope: str, count: int, seconds: int) -> None:
    """An app's default for its own scope (settings may still override it)."""
    DEFAULT_LIMITS.setdefault(scope, (count, seconds))


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    seconds: int

    @classmethod
    def named(cls, scope: str) -> "Limit":
        count, seconds = {**DEFAULT_LIMITS, **getattr(settings, "WANGGE_PORTAL_LIMITS", {}),
                          **getattr(settings, "WANGGE_RATE_LIMITS", {})}[scope]
        return cls(scope, int(count), int(seconds))

    def _cache_key(self, key: str) -> str:
        window = int(time.time() // self.seconds)
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        return f"wangge:rl:{self.scope}:{window}:{digest}"

    def hit(self, key: str) -> bool:
        """Count one attempt; True while the attempts in this window are within the limit."""
        cache_key = self._cache_key(key)
        if cache.add(cache_key, 1, timeout=self.seconds):
            return 1 <= self.count
        try:
            return cache.incr(cache_key) <= self.count
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=self.seconds)
            return 1 <= self.count

    def exhausted(self, key: str) -> bool:
        """True when no attempt is left in this window (without counting one)."""
        return (cache.get(self._cache_key(key)) or 0) >= self.count


def client_ip(request) -> str:
    """The client's address (``core.http.client_ip``: REMOTE_ADDR, or the forwarded address when
    the peer is one of ``WANGGE_TRUSTED_PROXIES``), or "unknown" — a rate limit needs some key."""
    return api_client_ip(request) or "unknown"
