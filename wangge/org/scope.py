"""Who sees what: the territory (辖区) and departments a staff member's roles reach.

The same rules serve every app that keeps rows in the territory (cases, patrols, meetings, key
persons …): a grid worker reaches their grid, a community secretary the community, a leader
their territory, a department officer their department. A row is placed in the territory either
by *snapshot columns* (``grid_id``, ``community_id``, ``subdistrict_id``, ``district_id``: the
region of each level, copied when the row is filed, see ``LEVEL_FIELD``) or by a foreign key to
its ``Region`` (matched by the tree path). ::

    scope = Scope.of(request.user)
    rows = scope.restrict(Patrol.objects.all(), fields=None)   # a region FK only
    q = scope.region_filter(roles=FIELD_ROLES)                 # None: everything
    require_visible(request.user, meeting, fields=None)        # or raise NotFound

A row outside the scope is "not found", the same answer as a row that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from wangge.core.errors import NotFound

from .choices import DEPARTMENT_ROLES, RegionLevel, Role
from .models import Region

# Roles that accept, dispatch and supervise in their territory.
DISPATCHER_ROLES = frozenset(
    {Role.INTAKE_CLERK, Role.COMMUNITY_SECRETARY, Role.LEADER, Role.ADMIN,
     Role.STREET_CHIEF_L1, Role.STREET_CHIEF_L2}
)
# Staff working on the ground, in a grid (or a building / unit in it).
FIELD_ROLES = frozenset(
    {Role.GRID_WORKER, Role.GRID_CHIEF, Role.STREET_CHIEF_L3, Role.BUILDING_CHIEF, Role.UNIT_CHIEF}
)
# 街长认领 / 网格就地处置: take an accepted case on oneself.
CLAIMER_ROLES = FIELD_ROLES | {Role.STREET_CHIEF_L1, Role.STREET_CHIEF_L2, Role.COMMUNITY_SECRETARY}
# Who may see residents' personal data (name, phone) without a per-user permission.
REPORTER_DATA_ROLES = frozenset({Role.INTAKE_CLERK, Role.COMMUNITY_SECRETARY, Role.LEADER, Role.ADMIN})
# Who may file a report on a resident's behalf.
INTAKE_ROLES = DISPATCHER_ROLES | FIELD_ROLES
# The permission that grants residents' personal data to a user without such a role.
REPORTER_DATA_PERMISSION = "cases.view_reporter"
# Who takes residents' calls (受理员) and so may look up a caller's earlier cases by phone
# (来电历史). Nobody else: a phone → cases look-up is a way to recover a masked number.
CALL_TAKER_ROLES = frozenset({Role.INTAKE_CLERK})
# Who may be handed a case in person (派单到人), where their territory covers it: the people who
# work the territory. Not the intake clerk: clerks take calls, they do not handle them.
# Department officers (DEPARTMENT_ROLES) may receive cases too, through their department.
TERRITORY_HANDLER_ROLES = CLAIMER_ROLES | {Role.LEADER, Role.ADMIN}

# The snapshot column that holds the region of each level.
LEVEL_FIELD: Mapping[str, str] = {
    RegionLevel.GRID: "grid_id",
    RegionLevel.COMMUNITY: "community_id",
    RegionLevel.SUBDISTRICT: "subdistrict_id",
    RegionLevel.DISTRICT: "district_id",
}


# ---------------------------------------------------------------------------------------------
# One region
# ---------------------------------------------------------------------------------------------


def region_q(region: Region, prefix: str = "", *, fields: Mapping[str, str] | None = LEVEL_FIELD,
             region_field: str = "region") -> Q:
    """The rows inside ``region``.

    With ``fields`` (level → snapshot column), a region of a level that has a column is matched on
    that column; otherwise (``fields=None``, or a level without a column: city, building, unit)
    on the path of the row's ``region_field`` foreign key. ``prefix`` reaches the row through a
    relation (``"case__"``).
    """
    column = (fields or {}).get(region.level)
    if column:
        return Q(**{f"{prefix}{column}": region.pk})
    return Q(**{f"{prefix}{region_field}__path__startswith": region.path})


def region_contains(region: Region, row, *, fields: Mapping[str, str] | None = LEVEL_FIELD,
                    region_field: str = "region") -> bool:
    """Is ``row`` inside ``region``? The in-memory twin of ``region_q``."""
    column = (fields or {}).get(region.level)
    if column:
        return getattr(row, column) == region.pk
    return getattr(row, region_field).path.startswith(region.path)


# ---------------------------------------------------------------------------------------------
# One user's reach
# ---------------------------------------------------------------------------------------------


# Territory granted by other apps' rows rather than by a role assignment (e.g. 一格八员: an officer
# of a department sunk into a grid sees the grid's cases). ``source(user, scope)`` returns
# ``(role key, Region)`` pairs; it sees the scope built from the roles so far, so it can skip the
# users it cannot concern (and their query). The role key need not be an org ``Role``: it widens
# what the user sees (``region_filter()`` with no roles), never what a role may do.
_scope_sources: list = []


def register_scope_source(source) -> None:
    """Called from an app's ``ready()``; see ``_scope_sources``."""
    if source not in _scope_sources:
        _scope_sources.append(source)


def _each_once(regions: Iterable[Region]) -> list[Region]:
    unique: dict[int, Region] = {}
    for region in regions:
        unique.setdefault(region.pk, region)
    return list(unique.values())


@dataclass
class Scope:
    """What one staff member's roles reach: territory nodes per role, departments."""

    user: object
    everything: bool = False
    regions: dict[str, list[Region]] = field(default_factory=dict)  # role → regions
    departments: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, user) -> Scope:
        """The scope of ``user`` (cached on the user object for the request)."""
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
            for source in _scope_sources:
                for role, region in source(user, scope):
                    scope.regions.setdefault(role, []).append(region)
        user._wangge_scope = scope
        return scope

    def regions_for(self, roles: Iterable[str]) -> list[Region]:
        """The regions of these roles, each once (a grid chief who is also the grid's street chief
        holds it twice)."""
        return _each_once(r for role in roles for r in self.regions.get(role, []))

    def all_regions(self) -> list[Region]:
        return _each_once(r for regions in self.regions.values() for r in regions)

    def has_any(self, roles: Iterable[str]) -> bool:
        return self.everything or any(role in self.regions for role in roles)

    def _regions(self, roles: Iterable[str] | None) -> list[Region]:
        return self.all_regions() if roles is None else self.regions_for(roles)

    def region_filter(self, *, roles: Iterable[str] | None = None, prefix: str = "",
                      fields: Mapping[str, str] | None = LEVEL_FIELD, region_field: str = "region") -> Q | None:
        """The rows inside the territory of the user's roles (of ``roles`` only, when given);
        None means every row (a superuser). See ``region_q`` for ``prefix``, ``fields`` and
        ``region_field``. Departments are not part of it: see ``department_filter``."""
        if self.everything:
            return None
        q = Q(pk__in=[])
        for region in self._regions(roles):
            q |= region_q(region, prefix, fields=fields, region_field=region_field)
        return q

    def department_filter(self, *, field_name: str = "department_id") -> Q | None:
        """The rows of the user's departments; None means every row (a superuser)."""
        if self.everything:
            return None
        return Q(**{f"{field_name}__in": sorted(self.departments)})

    def reaches(self, row, *, roles: Iterable[str] | None = None,
                fields: Mapping[str, str] | None = LEVEL_FIELD, region_field: str = "region") -> bool:
        """Is ``row`` inside the territory of the user's roles (of ``roles``, when given)?"""
        return self.everything or any(
            region_contains(r, row, fields=fields, region_field=region_field) for r in self._regions(roles)
        )

    def restrict(self, queryset: QuerySet, *, roles: Iterable[str] | None = None, prefix: str = "",
                 fields: Mapping[str, str] | None = LEVEL_FIELD, region_field: str = "region") -> QuerySet:
        """``queryset`` narrowed to the rows inside the user's territory."""
        q = self.region_filter(roles=roles, prefix=prefix, fields=fields, region_field=region_field)
        return queryset if q is None else queryset.filter(q)


def require_visible(user, row, *, roles: Iterable[str] | None = None,
                    fields: Mapping[str, str] | None = LEVEL_FIELD, region_field: str = "region",
                    error: type[NotFound] = NotFound):
    """``row`` if ``user``'s territory reaches it; otherwise raise ``error`` (a ``NotFound``: the
    same answer as for a row that does not exist)."""
    if row is None or not getattr(user, "is_authenticated", False):
        raise error()
    if not Scope.of(user).reaches(row, roles=roles, fields=fields, region_field=region_field):
        raise error()
    return row


# ---------------------------------------------------------------------------------------------
# What a user may do anywhere (the /me answer, the navigation)
# ---------------------------------------------------------------------------------------------


def can_file_cases(user) -> bool:
    """May ``user`` file a report on a resident's behalf?"""
    return bool(getattr(user, "is_authenticated", False) and Scope.of(user).has_any(INTAKE_ROLES))


def can_see_reporter(user) -> bool:
    """May ``user`` see residents' personal data (name, phone)?"""
    return bool(
        getattr(user, "is_authenticated", False)
        # The roles first: known from the scope already; the permission costs a query or three.
        and (Scope.of(user).has_any(REPORTER_DATA_ROLES) or user.has_perm(REPORTER_DATA_PERMISSION))
    )


def can_look_up_callers(user) -> bool:
    """May ``user`` look up a caller's earlier cases by phone (来电历史)? Intake clerks on a call."""
    return bool(getattr(user, "is_authenticated", False) and Scope.of(user).has_any(CALL_TAKER_ROLES))


def may_receive(user, row, *, fields: Mapping[str, str] | None = LEVEL_FIELD, region_field: str = "region") -> bool:
    """May ``user`` be handed ``row`` (a case) in person? Only an active account with an active
    role that receives cases: a department officer of an active department, or a territory role
    (``TERRITORY_HANDLER_ROLES``) whose region covers the row. Anyone else — an intake clerk, a
    retired account, a worker of another grid — would gain the row, and its reporter, by it."""
    if user is None or not getattr(user, "is_active", False):
        return False
    scope = Scope.of(user)  # its roles, not ``everything``: a superuser is not a handler by that
    for a in user.role_assignments:
        if a.role in DEPARTMENT_ROLES and a.department_id and a.department.is_active:
            return True
    return any(region_contains(r, row, fields=fields, region_field=region_field)
               for r in scope.regions_for(TERRITORY_HANDLER_ROLES))
