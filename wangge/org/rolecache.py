"""A staff member's active role assignments, kept between requests (岗位缓存).

Every request asks what the signed-in user's roles reach (``Scope.of``); without this, that is
one query per request — on the intake path a tenth of its work. The assignments are kept per
process under the user's ``roles_version``, a counter the database itself moves on: triggers
(migration org 0005) add one to it whenever one of the user's assignments is inserted, updated or
deleted — by the admin, an action or a bare ``QuerySet.update()`` alike — and whenever a region
one of them names changes its place, level, name or activity. The user row is read by every
request anyway (session or token), so a changed version is seen by the very next request in
every process: nothing is ever served stale, and no query is spent when nothing changed.
"""

from __future__ import annotations

import threading

from django.db import connections

from wangge.core import localcache

# The databases whose triggers (migration org 0005) move ``roles_version``; elsewhere nothing is kept.
TRIGGERED_VENDORS = ("postgresql", "sqlite")
# user id → (roles_version, assignments). Bounded: cleared when it grows past MAX_USERS.
MAX_USERS = 20_000
_lock = threading.Lock()
_kept: dict[int, tuple[int, tuple]] = {}


def active_assignments(user) -> list:
    """The user's active ``RoleAssignment`` rows, with region (without its boundary) and
    department."""
    version = getattr(user, "roles_version", None)
    if user.pk is None:
        return []
    hit = _kept.get(user.pk)
    if hit is not None and version is not None and hit[0] == version:
        return list(hit[1])
    rows = tuple(user.roles.filter(is_active=True).select_related("region", "department")
                 .defer("region__boundary").order_by("pk"))
    for row in rows:
        # Shared by later requests: they must not see this request's user object through it.
        row._state.fields_cache.pop("user", None)
    if version is not None and connections[user._state.db or "default"].vendor in TRIGGERED_VENDORS:
        with _lock:
            if len(_kept) >= MAX_USERS:
                _kept.clear()
            _kept[user.pk] = (version, rows)
    return list(rows)


class _Kept:
    def invalidate(self) -> None:
        """Drop everything kept (``localcache.invalidate_all``: tests whose rolled-back rows
        leave their ids to the next test)."""
        with _lock:
            _kept.clear()


localcache.register(_Kept())
