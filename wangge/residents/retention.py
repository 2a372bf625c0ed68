"""PIPL retention (保存期限): which residents may be erased.

A resident may be anonymised only when no app still has business with them. ``residents`` knows
no app above it, so each app registers a check in its ``AppConfig.ready()``::

    from wangge.residents.retention import register_open_business_check

    def open_cases(resident):
        if Case.objects.filter(reporter=resident).exclude(status__in=CLOSED).exists():
            return _("has open cases")
        return None

    register_open_business_check(open_cases)

A check returns a reason (a short phrase in the user's language) or None. It is called inside the
anonymising transaction, with the resident's row locked.
"""

from __future__ import annotations

from collections.abc import Callable

OpenBusinessCheck = Callable[[object], "str | None"]

_checks: list[OpenBusinessCheck] = []


def register_open_business_check(check: OpenBusinessCheck) -> OpenBusinessCheck:
    """Add ``check(resident) -> reason | None`` (once; usable as a decorator)."""
    if check not in _checks:
        _checks.append(check)
    return check


def unregister_open_business_check(check: OpenBusinessCheck) -> None:
    """Remove ``check`` (tests)."""
    if check in _checks:
        _checks.remove(check)


def open_business(resident) -> list[str]:
    """The reasons the resident may not be anonymised yet (empty: none)."""
    return [str(reason) for reason in (check(resident) for check in list(_checks)) if reason]
