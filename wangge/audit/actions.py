"""The audit app's writes: a sign-in record, a data-export record, and pruning old sign-ins."""

from __future__ import annotations

import datetime as dt
import ipaddress

from django.conf import settings
from django.utils import timezone

from wangge.core.http import client_ip

from .choices import ExportedList, SignInKind
from .maintenance import audit_maintenance
from .models import DataExportRecord, SignInRecord

DEFAULT_RETENTION_DAYS = 365
MINIMUM_RETENTION_DAYS = 180  # Cybersecurity Law art. 21: network logs kept at least six months


def retention_days() -> int:
    return int(getattr(settings, "WANGGE_AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def record_sign_in(*, kind: SignInKind, username: str = "", user=None, request=None) -> SignInRecord:
    """Write one sign-in record. ``user``: the account (none on a failed attempt)."""
    meta = getattr(request, "META", None) or {}
    if user is not None and not username:
        username = user.get_username()
    return SignInRecord.objects.create(
        kind=kind,
        username=(username or "")[:150],
        user=user if getattr(user, "pk", None) else None,
        ip_address=_ip(request),
        user_agent=(meta.get("HTTP_USER_AGENT") or "")[:300],
    )


FILTERS_KEPT = 4000  # characters of the query string kept (a list's filters fit many times over)


def record_data_export(*, actor, what: ExportedList, filters: str, rows: int, cut: bool,
                       request=None, ip_address: str | None = None) -> DataExportRecord:
    """Write one export record: ``actor`` wrote ``rows`` rows of the list ``what`` read with
    ``filters`` (its query string) to a file; ``cut``: the row cap left some out. The address is
    the request's, or ``ip_address`` for a caller that has only that."""
    return DataExportRecord.objects.create(
        user=actor if getattr(actor, "pk", None) else None,
        username=actor.get_username()[:150] if getattr(actor, "pk", None) else "",
        what=what,
        filters=(filters or "")[:FILTERS_KEPT],
        rows=rows,
        cut=cut,
        ip_address=_ip(request) if request is not None else _valid_ip(ip_address),
    )


def _ip(request) -> str | None:
    return _valid_ip(client_ip(request) if request is not None else None)


def _valid_ip(address: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:  # a server that gave no address (a test client, a socket)
        return None


def prune_sign_ins(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Delete the sign-in records older than the retention (never fewer than 180 days).
    The timeline and the data-access logs are never pruned."""
    days = retention_days() if days is None else days
    if days < MINIMUM_RETENTION_DAYS:
        raise ValueError(f"audit retention must be at least {MINIMUM_RETENTION_DAYS} days")
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    with audit_maintenance():
        deleted, _ = SignInRecord.objects.filter(at__lt=cutoff).delete()
    return deleted
