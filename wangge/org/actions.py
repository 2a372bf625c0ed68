"""Writes of the territory tree (辖区): retiring a place.

Each action checks the actor's permission, locks what it changes, validates, and writes the
change and its domain event in one transaction; a refused action raises a ``DomainError`` and
writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.core.errors import Forbidden, InvalidState, NotFound

from . import events, geo
from .choices import RegionLevel
from .models import Region, RoleAssignment, User


@dataclass(frozen=True)
class Retirement:
    """What one retirement did: the node, the nodes retired with it (itself included), the
    grids among them and the role assignments it ended."""

    region: Region
    region_ids: list[int]
    grid_ids: list[int]
    ended_assignment_ids: list[int]


def retire_region(*, region: Region, actor: User) -> Retirement:
    """撤销 — retire ``region`` and every node under it that is still active. They stay in the tree
    (old cases keep the grid they were filed in) but no longer take new cases, and the roles held
    over them end. Other apps stop their rows at those places on the ``region_retired`` event,
    after commit; open cases are left where they are, for the administrator to redispatch."""
    if not actor.has_perm("org.change_region"):
        raise Forbidden(_("You may not retire places."))
    with transaction.atomic():
        # The node first: a node retired meanwhile (or one that never was) is refused, nothing written.
        root = Region.objects.select_for_update().filter(pk=region.pk).first()
        if root is None:
            raise NotFound()
        if not root.is_active:
            raise InvalidState(_("%(place)s has already been retired.") % {"place": root.name})
        nodes = list(Region.objects.select_for_update().filter(path__startswith=root.path, is_active=True)
                     .order_by("pk").only("pk", "level"))
        now = timezone.now()
        region_ids = [n.pk for n in nodes]
        Region.objects.filter(pk__in=region_ids).update(is_active=False, retired_at=now, updated_at=now)
        assignments = RoleAssignment.objects.select_for_update().filter(region_id__in=region_ids, is_active=True)
        ended = list(assignments.order_by("pk").values_list("pk", flat=True))
        RoleAssignment.objects.filter(pk__in=ended).update(is_active=False)
        grid_ids = [n.pk for n in nodes if n.level == RegionLevel.GRID]
        events.region_retired(root, actor=actor, region_ids=region_ids, grid_ids=grid_ids, retired_at=now,
                              ended_assignment_ids=ended)
        # The point → grid index of this process (others see the grid table's fingerprint move).
        transaction.on_commit(geo.invalidate)
    root.is_active, root.retired_at = False, now
    return Retirement(region=root, region_ids=region_ids, grid_ids=grid_ids, ended_assignment_ids=ended)
