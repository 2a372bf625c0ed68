"""Who may see and do what, by role and jurisdiction (辖区 / 部门).

Reads: a grid worker sees their grid, a community secretary the community, a leader their
territory, a department the cases dispatched to it. Writes: each action names the roles that
may take it; some are for the case's current handler (承办人) only.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from wangge.org.choices import RegionLevel

# The generic who-sees-what rules live in org; re-exported here for the case code that names them.
from wangge.org.scope import (  # noqa: F401
    CLAIMER_ROLES,
    DISPATCHER_ROLES,
    FIELD_ROLES,
    INTAKE_ROLES,
    LEVEL_FIELD,
    REPORTER_DATA_ROLES,
    Scope,
    can_file_cases,
    can_see_reporter,
    region_contains,
    region_q,
)

from .choices import OPEN_STATUSES, AssignmentRole, CaseStatus
from .errors import ActionForbidden, CaseNotFound

# A territory of these levels holds a small share of all cases (a grid: one in hundreds).
SMALL_TERRITORY_LEVELS = frozenset({RegionLevel.GRID, RegionLevel.COMMUNITY})
# At most this many of one's own cases outside one's territory are named by id.
PERSONAL_OUTSIDE_LIMIT = 200


def visible_q(user) -> Q | None:
    """The filter of cases ``user`` may see; None means all of them: the cases of the user's
    territory and departments, and their own — those they filed or were handed in person.

    For the staff of a grid or a community the filter is written so that the list, newest first,
    reads their territory's own index: the few cases of their own outside it are named by id (or,
    when they have none, the filter is the territory alone). Written as "territory OR handed to
    me OR filed by me", PostgreSQL would walk the newest cases of the whole city to find a grid's
    — hundreds of cases read for each one shown, and a common search word in a grid worker's list
    took most of a second. The cases are the same either way."""
    from .models import CaseAssignment

    scope = Scope.of(user)
    if scope.everything:
        return None
    q = scope.region_filter()
    if not scope.departments and _small_territory(scope):
        outside = _own_cases_outside(user, q, scope.region_filter(prefix="case__"))
        if outside is not None:
            return q | Q(pk__in=outside) if outside else q
    assigned = CaseAssignment.objects.filter(case=OuterRef("pk"))
    if scope.departments:
        q |= Exists(assigned.filter(department_id__in=scope.departments))
    q |= Exists(assigned.filter(user=user))
    q |= Q(created_by=user)
    return q


def _small_territory(scope) -> bool:
    regions = scope.all_regions()
    return bool(regions) and all(region.level in SMALL_TERRITORY_LEVELS for region in regions)


def _own_cases_outside(user, territory: Q, assignment_territory: Q) -> list[int] | None:
    """The ids of the cases ``user`` filed or was handed in person that lie outside their
    ``territory`` (``assignment_territory``: the same, seen from an assignment) — None for more
    than ``PERSONAL_OUTSIDE_LIMIT``. Reads the user's own cases only (the indexes of the filer and
    of the handler)."""
    from .models import Case, CaseAssignment

    limit = PERSONAL_OUTSIDE_LIMIT + 1
    filed = Case.objects.filter(created_by=user).exclude(territory)
    handed = CaseAssignment.objects.filter(user=user).exclude(assignment_territory)
    ids = set(filed.order_by().values_list("pk", flat=True)[:limit])
    ids.update(handed.order_by().values_list("case_id", flat=True)[:limit])
    return None if len(ids) > PERSONAL_OUTSIDE_LIMIT else sorted(ids)


def can_see(user, case) -> bool:
    scope = Scope.of(user)
    if scope.everything:
        return True
    if scope.reaches(case):
        return True
    if case.created_by_id == user.pk:
        return True
    return case.assignments.filter(Q(department_id__in=scope.departments) | Q(user=user)).exists()


def in_territory(user, case, roles) -> bool:
    return Scope.of(user).reaches(case, roles=roles)


def holds(user, assignment) -> bool:
    """Is ``user`` the handler behind this assignment?"""
    if assignment is None:
        return False
    scope = Scope.of(user)
    if assignment.user_id:
        return assignment.user_id == user.pk
    if assignment.department_id:
        return assignment.department_id in scope.departments
    region = assignment.region
    return any(region.path.startswith(r.path) for r in scope.all_regions())


def active_assignments(case):
    return [a for a in case.assignments.all() if a.active]


def is_lead(user, case) -> bool:
    return any(holds(user, a) for a in active_assignments(case) if a.role == AssignmentRole.LEAD)


def is_handler(user, case) -> bool:
    return any(holds(user, a) for a in active_assignments(case))


def may_reveal_reporter(user, case) -> bool:
    """May ``user`` unmask this case's reporter (logged by ``actions.reveal_reporter``)? The roles
    that see residents' data anywhere, and — while the case is open — those handling it: the
    officer or grid worker who must call the resident before going out (先联系后办理)."""
    if can_see_reporter(user):
        return True
    return case.status in OPEN_STATUSES and is_handler(user, case)


def is_dispatcher(user, case) -> bool:
    return in_territory(user, case, DISPATCHER_ROLES)


def may_claim(user, case) -> bool:
    """认领: a street chief / grid worker of the territory takes an accepted case; the lead confirms."""
    if case.status == CaseStatus.ACCEPTED:
        return in_territory(user, case, CLAIMER_ROLES)
    return is_lead(user, case)


def claim_level(user, case) -> str | None:
    """The case level of the finest territory from which ``user`` may claim ``case``."""
    from .choices import CASE_LEVEL_ORDER

    levels = [r.level for r in Scope.of(user).regions_for(CLAIMER_ROLES) if region_contains(r, case)]
    levels = [lv for lv in levels if lv in CASE_LEVEL_ORDER]
    return min(levels, key=CASE_LEVEL_ORDER.index, default=None)  # grid before community...


def may_redispatch(user, case) -> bool:
    """转派: the community or grid that was handed the case."""
    lead = next((a for a in active_assignments(case) if a.role == AssignmentRole.LEAD), None)
    return lead is not None and lead.region_id is not None and holds(user, lead)


def may_escalate(user, case) -> bool:
    return is_dispatcher(user, case) or is_lead(user, case) or in_territory(user, case, FIELD_ROLES)


def may_report_in(user, case) -> bool:
    """报到: a co-handler summoned by a whistle that has not reported in yet."""
    return any(holds(user, a) and a.reported_in_at is None
               for a in active_assignments(case) if a.role == AssignmentRole.ASSIST)


def may_urge(user, case) -> bool:
    return in_territory(user, case, DISPATCHER_ROLES)


def can(user, action: str, case) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if Scope.of(user).everything:
        return True
    from .registry import case_actions  # the rules are declared with the actions

    return bool(case_actions[action].rule(user, case))


def require(user, action: str, case) -> None:
    """Refuse unless ``user`` may take ``action`` on ``case``; a case they cannot see is 'not found'."""
    if user is None or not getattr(user, "is_authenticated", False) or not can_see(user, case):
        raise CaseNotFound()
    if not can(user, action, case):
        raise ActionForbidden()
