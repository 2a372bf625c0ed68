"""Who may see and do what, by role and jurisdiction (辖区 / 部门).

Reads: a grid worker sees their grid, a community secretary the community, a leader their
territory, a department the cases dispatched to it. Writes: each action names the roles that
may take it; some are for the case's current handler (承办人) only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from wangge.org.choices import RegionLevel, Role
from wangge.org.models import Region

from .choices import AssignmentRole, CaseStatus
from .errors import ActionForbidden, CaseNotFound

DISPATCHER_ROLES = frozenset(
    {Role.INTAKE_CLERK, Role.COMMUNITY_SECRETARY, Role.LEADER, Role.ADMIN,
     Role.STREET_CHIEF_L1, Role.STREET_CHIEF_L2}
)
FIELD_ROLES = frozenset(
    {Role.GRID_WORKER, Role.GRID_CHIEF, Role.STREET_CHIEF_L3, Role.BUILDING_CHIEF, Role.UNIT_CHIEF}
)
# 街长认领 / 网格就地处置: take an accepted case on oneself.
CLAIMER_ROLES = FIELD_ROLES | {Role.STREET_CHIEF_L1, Role.STREET_CHIEF_L2, Role.COMMUNITY_SECRETARY}
REPORTER_DATA_ROLES = frozenset({Role.INTAKE_CLERK, Role.COMMUNITY_SECRETARY, Role.LEADER, Role.ADMIN})
INTAKE_ROLES = DISPATCHER_ROLES | FIELD_ROLES

# The case field that holds the snapshot of each level.
LEVEL_FIELD = {
    RegionLevel.GRID: "grid_id",
    RegionLevel.COMMUNITY: "community_id",
    RegionLevel.SUBDISTRICT: "subdistrict_id",
    RegionLevel.DISTRICT: "district_id",
}


@dataclass
class Scope:
    """What one staff member's roles reach: territory nodes per role, departments."""

    user: object
    everything: bool = False
    regions: dict[str, list[Region]] = field(default_factory=dict)  # role → regions
    departments: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, user) -> "Scope":
        cached = getattr(user, "_wangge_scope", None)
        if cached is not None:
            return cached
        scope = cls(user=user, everything=bool(getattr(user, "is_superuser", False)))
        if getattr(user, "is_authenticated", False):
            for a in user.role_assignments:
                if a.department_id:
                    scope.departments.add(a.department_id)
                if a.region_id:
                    region = a.region
                    # Building and unit chiefs work within their grid.
                    if region.level in (RegionLevel.BUILDING, RegionLevel.UNIT):
                        region = region.ancestor_at(RegionLevel.GRID) or region
                    scope.regions.setdefault(a.role, []).append(region)
        user._wangge_scope = scope
        return scope

    def regions_for(self, roles) -> list[Region]:
        return [r for role in roles for r in self.regions.get(role, [])]

    def all_regions(self) -> list[Region]:
        return [r for regions in self.regions.values() for r in regions]

    def has_any(self, roles) -> bool:
        return self.everything or any(role in self.regions for role in roles)


def region_q(region: Region, prefix: str = "") -> Q:
    field_name = LEVEL_FIELD.get(region.level)
    if field_name:
        return Q(**{f"{prefix}{field_name}": region.pk})
    return Q(**{f"{prefix}region__path__startswith": region.path})


def region_contains(region: Region, case) -> bool:
    field_name = LEVEL_FIELD.get(region.level)
    if field_name:
        return getattr(case, field_name) == region.pk
    return case.region.path.startswith(region.path)


def visible_q(user) -> Q | None:
    """The filter of cases ``user`` may see; None means all of them."""
    from .models import CaseAssignment

    scope = Scope.of(user)
    if scope.everything:
        return None
    q = Q(pk__in=[])
    for region in scope.all_regions():
        q |= region_q(region)
    assigned = CaseAssignment.objects.filter(case=OuterRef("pk"))
    if scope.departments:
        q |= Exists(assigned.filter(department_id__in=scope.departments))
    q |= Exists(assigned.filter(user=user))
    q |= Q(created_by=user)
    return q


def can_see(user, case) -> bool:
    scope = Scope.of(user)
    if scope.everything:
        return True
    if any(region_contains(r, case) for r in scope.all_regions()):
        return True
    if case.created_by_id == user.pk:
        return True
    return case.assignments.filter(Q(department_id__in=scope.departments) | Q(user=user)).exists()


def in_territory(user, case, roles) -> bool:
    scope = Scope.of(user)
    return scope.everything or any(region_contains(r, case) for r in scope.regions_for(roles))


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


def is_dispatcher(user, case) -> bool:
    return in_territory(user, case, DISPATCHER_ROLES)


def _claim(user, case) -> bool:
    if case.status == CaseStatus.ACCEPTED:
        return in_territory(user, case, CLAIMER_ROLES)
    return is_lead(user, case)


def claim_level(user, case) -> str | None:
    """The case level of the finest territory from which ``user`` may claim ``case``."""
    from .choices import CASE_LEVEL_ORDER

    levels = [r.level for r in Scope.of(user).regions_for(CLAIMER_ROLES) if region_contains(r, case)]
    levels = [lv for lv in levels if lv in CASE_LEVEL_ORDER]
    return min(levels, key=CASE_LEVEL_ORDER.index, default=None)  # grid before community...


def _redispatch(user, case) -> bool:
    lead = next((a for a in active_assignments(case) if a.role == AssignmentRole.LEAD), None)
    return lead is not None and lead.region_id is not None and holds(user, lead)


def _escalate(user, case) -> bool:
    return is_dispatcher(user, case) or is_lead(user, case) or in_territory(user, case, FIELD_ROLES)


# action → rule(user, case). Every action is listed: a missing entry is a bug, not a pass.
RULES = {
    "accept": is_dispatcher,
    "reject": is_dispatcher,
    "classify": lambda u, c: is_dispatcher(u, c) or is_lead(u, c),
    "dispatch": is_dispatcher,
    "redispatch": _redispatch,
    "claim": _claim,
    "report_in": lambda u, c: any(
        holds(u, a) and a.reported_in_at is None for a in active_assignments(c) if a.role == AssignmentRole.ASSIST
    ),
    "return": is_lead,
    "progress": lambda u, c: is_handler(u, c) or is_dispatcher(u, c),
    "request_extension": is_lead,
    "decide_extension": is_dispatcher,
    "suspend": lambda u, c: is_dispatcher(u, c) or is_lead(u, c),
    "resume": lambda u, c: is_dispatcher(u, c) or is_lead(u, c),
    "resolve": is_lead,
    "escalate": _escalate,
    "revisit": is_dispatcher,
    "rate": is_dispatcher,  # a clerk recording the callback; residents rate through their link
    "reopen": is_dispatcher,
    "close": is_dispatcher,
    "merge": is_dispatcher,
    "urge": lambda u, c: in_territory(u, c, DISPATCHER_ROLES),
}


def can(user, action: str, case) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if Scope.of(user).everything:
        return True
    return bool(RULES[action](user, case))


def require(user, action: str, case) -> None:
    """Refuse unless ``user`` may take ``action`` on ``case``; a case they cannot see is 'not found'."""
    if user is None or not getattr(user, "is_authenticated", False) or not can_see(user, case):
        raise CaseNotFound()
    if not can(user, action, case):
        raise ActionForbidden()


def can_see_reporter(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.has_perm("cases.view_reporter") or Scope.of(user).has_any(REPORTER_DATA_ROLES))
    )


def can_file_cases(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and Scope.of(user).has_any(INTAKE_ROLES))
