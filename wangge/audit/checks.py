"""System check: the sign-in records are kept at least six months (Cybersecurity Law art. 21)."""

from __future__ import annotations

from django.core.checks import Error, register

from .actions import MINIMUM_RETENTION_DAYS, retention_days


@register()
def audit_retention(app_configs=None, **kwargs):
    try:
        days = retention_days()
    except (TypeError, ValueError):
        days = None
    if days is not None and days >= MINIMUM_RETENTION_DAYS:
        return []
    return [Error(
        f"WANGGE_AUDIT_RETENTION_DAYS must be a number of days, at least {MINIMUM_RETENTION_DAYS}.",
        hint="The Cybersecurity Law (art. 21) requires network logs to be kept for at least six months.",
        id="wangge.audit.E001",
    )]
