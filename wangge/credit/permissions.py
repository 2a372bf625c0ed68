"""Who may do what with credit — small functions, so another app (the three chiefs') can extend
who counts as an awarder with ``register_awarder``."""

from __future__ import annotations

from collections.abc import Callable

from wangge.org.choices import Role
from wangge.org.scope import Scope

from .choices import Awarder

# Community staff: award every rule, correct entries, run the counter, manage the store.
COMMUNITY_ROLES = frozenset({Role.COMMUNITY_SECRETARY, Role.LEADER, Role.ADMIN})
# Chiefs and grid workers (三长, 网格员): award the rules meant for them, in their territory.
CHIEF_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_CHIEF, Role.BUILDING_CHIEF, Role.UNIT_CHIEF,
                         Role.STREET_CHIEF_L3})
# Who hands items out at a community's counter.
COUNTER_ROLES = COMMUNITY_ROLES | {Role.GRID_WORKER, Role.GRID_CHIEF}
DESK_ROLES = COMMUNITY_ROLES | CHIEF_ROLES

# Extra checks ``(user, rule, account) -> bool`` another app adds (e.g. a volunteer chief's
# limited account): any that answers True lets the award through.
_awarders: list[Callable[[object, object, object], bool]] = []


def register_awarder(check: Callable[[object, object, object], bool]) -> None:
    if check not in _awarders:
        _awarders.append(check)


def _reaches(user, row, roles) -> bool:
    return Scope.of(user).reaches(row, roles=roles, fields=None, region_field="region")


def may_use_credit_desk(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and Scope.of(user).has_any(DESK_ROLES))


def may_award(user, rule, account) -> bool:
    """May ``user`` award ``rule``'s credit to ``account``? By the rule's awarder and the
    account's place in the user's territory."""
    if not getattr(user, "is_authenticated", False) or rule.awarded_by == Awarder.SYSTEM:
        return False
    roles = COMMUNITY_ROLES | (CHIEF_ROLES if rule.awarded_by == Awarder.CHIEF else frozenset())
    if _reaches(user, account, roles):
        return True
    return any(check(user, rule, account) for check in _awarders)


def may_correct(user, account) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and _reaches(user, account, COMMUNITY_ROLES)


def may_see_account(user, account) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and _reaches(user, account, DESK_ROLES)


def _covers(user, region, roles, *, or_inside: bool = False) -> bool:
    """Does the user's territory (for ``roles``) contain ``region``? With ``or_inside``, a user
    whose territory lies inside ``region`` counts too (a grid worker at the community's counter)."""
    scope = Scope.of(user)
    if scope.everything:
        return True
    return any(region.path.startswith(r.path) or (or_inside and r.path.startswith(region.path))
               for r in scope.regions_for(roles))


def may_open_account(user, region) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and _covers(user, region, DESK_ROLES)


def may_run_counter(user, item) -> bool:
    """Hand out ``item`` at its community's counter."""
    return bool(getattr(user, "is_authenticated", False)) and _covers(user, item.community, COUNTER_ROLES,
                                                                    or_inside=True)


def may_manage_store(user, community) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and _covers(user, community, COMMUNITY_ROLES)


def merchant_of(user):
    """The active merchant ``user`` signs in for, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    from .models import Merchant

    return Merchant.objects.filter(user=user, is_active=True).select_related("community").first()
