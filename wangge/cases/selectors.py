"""Scoped reads of cases: every list and lookup goes through these."""

from __future__ import annotations

from django.db.models import QuerySet

from . import permissions
from .errors import CaseNotFound
from .models import Case


def cases_visible_to(user) -> QuerySet[Case]:
    """The cases ``user`` may see (none for anonymous users)."""
    qs = Case.objects.all()
    if user is None or not getattr(user, "is_authenticated", False):
        return qs.none()
    q = permissions.visible_q(user)
    return qs if q is None else qs.filter(q)


# What a case's page and its API detail show of its relations, read with the case.
CASE_DETAIL_RELATED = ("category", "region", "grid", "community", "subdistrict", "sla_policy", "merged_into",
                       "lead_department")


def case_for(user, number: str) -> Case:
    """One case by number, or CaseNotFound — also when it exists but is outside the user's scope."""
    try:
        return cases_visible_to(user).select_related(*CASE_DETAIL_RELATED).get(number=number)
    except Case.DoesNotExist:
        raise CaseNotFound() from None


def available_actions(user, case: Case) -> list[str]:
    """The actions ``user`` may take on ``case`` now (for buttons and the API)."""
    from .transitions import allowed_actions

    return [a for a in allowed_actions(case.status) if permissions.can(user, a, case)]


def mask_phone(phone: str) -> str:
    """138****1234 — keep the first 3 and last 4 digits."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return phone[:1] + "*" * (len(phone) - 2) + phone[-1:]
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    """张** — keep the family name (first character)."""
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def cases_for_resident(number: str, phone_last4: str) -> Case | None:
    """A case a resident may track: its number plus the last 4 digits of the phone they gave."""
    case = Case.objects.filter(number=(number or "").strip().upper()).first()
    if case is None or not phone_last4 or case.reporter_phone_last4 != phone_last4.strip():
        return None
    return case
