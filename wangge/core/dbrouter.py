"""Reads that may come from a replica (只读副本): the dashboard and the lists, never a write.

When the office runs a PostgreSQL streaming replica, the heavy reads — the command dashboard,
the case lists, the API's list and search — can be served by it and leave the primary to the
writes. Nothing else changes: every write, and every read of every other page, goes to the
primary (``default``), so a clerk who has just filed a case reads it back at once.

Turned on by configuration only (``config/settings/prod.py``)::

    WANGGE_REPLICA_URL=postgres://…@replica/wangge        → DATABASES["replica"]
    WANGGE_REPLICA_PATHS=/dashboard/,/cases/,/api/v1/cases/ (the default list)

``ReplicaReadsMiddleware`` marks a GET or HEAD request to one of those paths; during it
``ReplicaRouter`` sends reads to ``replica`` — unless a transaction is open on ``default`` (a
read inside an action must see the action's own writes). A replica lags by the time WAL takes to
replay (usually well under a second): figures and lists may be that much behind; a case page
(``/cases/<number>/``) is not on the list by default for that reason.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import connections

REPLICA = "replica"
DEFAULT_PATHS = ("/dashboard/", "/cases/", "/api/v1/cases/")

_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar("wangge_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES and bool(getattr(settings, "WANGGE_REPLICA_PATHS", DEFAULT_PATHS))


@contextmanager
def replica_reads(allowed: bool = True):
    """Inside: reads may go to the replica (when one is configured); with ``allowed`` false, they
    come from the primary, also in a request marked for the replica (``primary_reads``)."""
    token = _replica_reads.set(allowed)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def primary_reads():
    """Inside: every read from the primary — for a read that must not lag, such as a cursor that
    moves past what it has read (a change the replica replays later would be passed for good)."""
    return replica_reads(False)


# Who is signed in, and may they: always from the primary, never a lagging copy (a session just
# ended, an account just disabled, a token just revoked must count at once).
_PRIMARY_ONLY_APPS = {"sessions", "auth", "axes", "contenttypes"}
_PRIMARY_ONLY_MODELS = {"org.User", "org.ApiToken", "org.RoleAssignment"}


class ReplicaRouter:
    """Reads to ``replica`` inside ``replica_reads()``; everything else to ``default``."""

    def db_for_read(self, model, **hints):
        if not _replica_reads.get() or REPLICA not in settings.DATABASES:
            return None
        meta = model._meta
        if meta.app_label in _PRIMARY_ONLY_APPS or meta.label in _PRIMARY_ONLY_MODELS:
            return None
        if connections["default"].in_atomic_block:
            return None  # inside a write: read what the write sees
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # the replica replays the primary's schema


def _read_path(path: str) -> bool:
    paths = getattr(settings, "WANGGE_REPLICA_PATHS", DEFAULT_PATHS)
    if path.startswith("/cases/") and "/cases/" in paths:
        # The list (/cases/ and its exports), not one case's page or its forms.
        rest = path[len("/cases/"):]
        return rest == "" or rest.startswith("export")
    return any(path.startswith(prefix) for prefix in paths)


class ReplicaReadsMiddleware:
    """Marks GET/HEAD requests to the read-heavy paths (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if REPLICA in settings.DATABASES and request.method in ("GET", "HEAD") and _read_path(request.path):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
