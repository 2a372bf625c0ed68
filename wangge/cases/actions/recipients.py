"""Who is told: the dispatchers of a level, the people behind an assignment, the handlers."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from wangge.org.models import User

from .. import permissions
from ..choices import (
    CaseLevel,
)
from ..models import (
    Case,
    CaseAssignment,
)
from .base import _level_node

# Within one sweep (``sweep_lookup_cache``): the staff of a department or node, the calendar.
_SWEEP_CACHE: ContextVar[dict | None] = ContextVar("wangge_sweep_cache", default=None)


@contextmanager
def sweep_lookup_cache():
    """While the sweep runs, look up each department's or node's staff (and the working-day
    calendar) once, not once per due case."""
    token = _SWEEP_CACHE.set({})
    try:
        yield
    finally:
        _SWEEP_CACHE.reset(token)


def _cached(key: tuple, compute):
    cache = _SWEEP_CACHE.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _dispatchers_at(case: Case, level: str) -> list[User]:
    node_id = case.district_id if level == CaseLevel.CITY else getattr(case, f"{level}_id", None)
    return _cached(("dispatchers", level, node_id), lambda: _find_dispatchers_at(case, level))


def _find_dispatchers_at(case: Case, level: str) -> list[User]:
    node = _level_node(case, level)
    if node is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            roles__is_active=True,
            roles__region=node,
            roles__role__in=[*permissions.DISPATCHER_ROLES, *(
                permissions.FIELD_ROLES if level == CaseLevel.GRID else ()
            )],
        ).distinct()
    )


def _people_behind(assignment: CaseAssignment) -> list[User]:
    if assignment.user_id:
        return [assignment.user]
    if assignment.department_id:
        return _cached(("department", assignment.department_id), lambda: list(
            User.objects.filter(
                is_active=True, roles__is_active=True, roles__department_id=assignment.department_id
            ).distinct()
        ))
    return _cached(("region", assignment.region_id), lambda: list(
        User.objects.filter(is_active=True, roles__is_active=True, roles__region_id=assignment.region_id).distinct()
    ))


def _handlers(case: Case) -> list[User]:
    # The sweep prefetches the active assignments of a whole batch of cases.
    assignments = getattr(case, "_prefetched_objects_cache", {}).get("assignments")
    if assignments is None:
        assignments = case.assignments.filter(active=True).select_related("user")
    people: list[User] = []
    for a in assignments:
        if a.active:
            people.extend(_people_behind(a))
    return people
