"""Who may do what with patrols, on the territory rules of ``org.scope``."""

from __future__ import annotations

from wangge.org.choices import Role
from wangge.org.scope import DISPATCHER_ROLES, FIELD_ROLES, Scope

# Who walks the grid and checks in (网格员, 网格长, 楼栋长 …).
PATROL_ROLES = FIELD_ROLES
# Who keeps the points, cancels slots and appoints the grid's officers: the grid chief for the
# grid, the community and the sub-district for theirs.
MANAGER_ROLES = DISPATCHER_ROLES | {Role.GRID_CHIEF}
# Who reads the figures: everybody with a territory role (each sees their own territory).
FIGURE_ROLES = DISPATCHER_ROLES | FIELD_ROLES


def may_patrol(user, row) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and Scope.of(user).reaches(row, roles=PATROL_ROLES)


def may_manage(user, row) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and Scope.of(user).reaches(row, roles=MANAGER_ROLES)


def is_manager(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and Scope.of(user).has_any(MANAGER_ROLES)


def is_patroller(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and Scope.of(user).has_any(PATROL_ROLES)


def sees_figures(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and Scope.of(user).has_any(FIGURE_ROLES)


GRID_OFFICER_SCOPE = "grid_officer"  # the scope key of the grids an officer is sunk into


def officer_grids(user, scope) -> list:
    """``org.scope`` source: the grids ``user`` serves in as one of the grid's officers (一格八员).
    Only department staff can be one, so nobody else pays the query."""
    if not scope.departments:
        return []
    from .models import GridOfficer

    rows = GridOfficer.objects.filter(user=user, is_active=True, grid__is_active=True).select_related("grid")
    return [(GRID_OFFICER_SCOPE, row.grid) for row in rows]
