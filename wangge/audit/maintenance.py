"""The one way through the append-only guard: ``audit_maintenance()``.

On PostgreSQL the triggers of ``migrations/0002_append_only`` refuse every UPDATE and DELETE on
the timeline (``cases_caseevent``), the data-access logs (``cases_reporteraccesslog``,
``residents_residentaccesslog``), the sign-in records (``audit_signinrecord``) and the data-export
records (``audit_dataexportrecord``, migration 0003). A DELETE goes
through only while the transaction has set ``wangge.audit_maintenance`` to ``on`` — this context
manager does that, for its block only. It is used by ``prune_audit`` (sign-in records past their
retention) and is the switch for a deliberate clean-up such as wiping a demo database:

    with audit_maintenance():
        Case.objects.filter(...).delete()   # the events and access logs cascade

An UPDATE is never let through (a resident merge may re-point ``resident_id`` of the resident
access log, and nothing else). TRUNCATE is not guarded: the tests' flush uses it. Someone who can
change triggers or settings in the database is not stopped by this — the hash chain and
``manage.py verify_audit`` are what notice their changes to the timeline.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction

from wangge.core.pgsettings import local_settings

SETTING = "wangge.audit_maintenance"


@contextmanager
def audit_maintenance(using: str = "default"):
    with transaction.atomic(using=using), local_settings(using, **{SETTING: "on"}):
        # Only for this block: the rest of an enclosing transaction stays guarded (leaving it with
        # an exception rolls the savepoint back, and the setting with it).
        yield
