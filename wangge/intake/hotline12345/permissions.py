"""Who may import 12345 orders: intake clerks and dispatchers of the sub-district (受理员、派单员)."""

from __future__ import annotations

from wangge.cases import permissions as case_permissions
from wangge.org.choices import RegionLevel
from wangge.org.models import Region
from wangge.org.scope import DISPATCHER_ROLES, Scope

IMPORT_ROLES = DISPATCHER_ROLES


def can_import(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and Scope.of(user).has_any(IMPORT_ROLES)
                and case_permissions.can_file_cases(user))


def reaches_subdistrict(user, subdistrict: Region) -> bool:
    """Does one of ``user``'s dispatcher roles cover the whole of ``subdistrict``?"""
    scope = Scope.of(user)
    return scope.everything or any(subdistrict.path.startswith(r.path) for r in scope.regions_for(IMPORT_ROLES))


def subdistricts_for(user) -> list[Region]:
    if not can_import(user):
        return []
    return [r for r in Region.objects.filter(level=RegionLevel.SUBDISTRICT, is_active=True).order_by("path")
            if reaches_subdistrict(user, r)]
