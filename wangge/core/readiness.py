"""开通检查 — is this office ready to take cases? The checks behind the admin index's readiness panel.

A fresh install passes silently with an empty territory, no clerk, no deadline policy, next year's
holidays not loaded … Each app that owns one of these conditions registers a small check in its
``AppConfig.ready()`` (core imports no app)::

    register_check("org.clerk", _("Intake clerk"), clerk_check, order=30)

A check is a function without arguments returning a ``Result``: ready or not, one line saying why
(in the user's language) and the admin page where it is fixed. It must be cheap — a few indexed
queries, never a scan over cases: the panel runs every check on each view of the admin index.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Result:
    """What one check found: ``ready``, a one-line ``reason`` and the ``url`` where it is fixed."""

    ready: bool
    reason: str
    url: str = ""


@dataclass(frozen=True)
class ReadinessCheck:
    key: str
    label: object
    run: Callable[[], Result]
    order: int = 100


_checks: dict[str, ReadinessCheck] = {}


def register_check(key: str, label, run: Callable[[], Result], *, order: int = 100) -> ReadinessCheck:
    """Add (or replace: ``ready`` may run twice in tests) the check ``key``."""
    check = ReadinessCheck(key=key, label=label, run=run, order=order)
    _checks[key] = check
    return check


def unregister_check(key: str) -> None:
    """For tests that register a throw-away check."""
    _checks.pop(key, None)


def registered_checks() -> list[ReadinessCheck]:
    return sorted(_checks.values(), key=lambda c: (c.order, c.key))


def run_checks() -> list[dict]:
    """Every check's outcome, in order: ``[{"key", "label", "ready", "reason", "url"}]``. A check that
    fails to run is shown as not ready with the error named, never a broken admin page."""
    rows = []
    for check in registered_checks():
        try:
            result = check.run()
        except Exception as exc:
            logger.exception("readiness check %s failed", check.key)
            result = Result(False, _("The check could not run (%(error)s).") % {"error": type(exc).__name__})
        rows.append({"key": check.key, "label": check.label, "ready": result.ready,
                     "reason": result.reason, "url": result.url})
    return rows


def admin_url(app_label: str, model: str, view: str = "changelist", *, query: dict | None = None) -> str:
    """The admin page of ``app_label.model`` (``changelist``, ``add`` …), with a filter; "" when
    that model is not in the admin of this project."""
    try:
        url = reverse(f"admin:{app_label}_{model}_{view}")
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(query)}" if query else url


def public_address_result(*, in_use: bool, channel, url: str = "") -> Result:
    """For a channel whose links or printed codes carry ``WANGGE_PUBLIC_BASE_URL`` (a WeChat account,
    码上办 codes): fine when the channel is not in use or the address is a public one."""
    from django.conf import settings

    from .checks import public_address_unset

    base = str(getattr(settings, "WANGGE_PUBLIC_BASE_URL", "") or "")
    if not in_use:
        return Result(True, _("%(channel)s not in use: no public address needed.") % {"channel": channel}, url)
    if public_address_unset():
        return Result(False, _("%(channel)s in use, but the public address (WANGGE_PUBLIC_BASE_URL) is “%(base)s”: "
                               "the links residents get open nothing. Set it in the server's environment.")
                      % {"channel": channel, "base": base}, url)
    return Result(True, _("%(channel)s in use; links open at %(base)s.") % {"channel": channel, "base": base}, url)
