"""What retiring a place (撤销) affects, for the administrator to see before and after.

Retiring a node retires its whole sub-tree (``org.actions.retire_region``); the apps that keep
rows at a place react to the ``region_retired`` event. Some rows are stopped with the place (QR
codes, patrol points); others are left where they are for a person to act on (open cases: to be
redispatched, never silently moved). ``org`` knows no app above it, so each app registers what
it can say about a place in its ``AppConfig.ready()``::

    from wangge.org.retirement import Impact, register_retirement_impact

    def qr_codes(region):
        n = QrCode.objects.filter(region__path__startswith=region.path, is_active=True).count()
        return Impact(_("QR codes in use"), n, _("They stop: scanning one says it is no longer in use."))

    register_retirement_impact("intake_qrcodes.codes", qr_codes, order=30)

An impact function takes the node about to be retired (its sub-tree is what counts) and returns
an ``Impact`` or None; it must only read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .models import Region, RoleAssignment


@dataclass(frozen=True)
class Impact:
    """One kind of row at the place: how many, what happens to them (``consequence``), where to
    see them (``link``, optional) and, for a short list, who or what they are (``names``)."""

    label: str
    count: int
    consequence: str
    link: str = ""
    names: list[str] = field(default_factory=list)
    # True: left for a person to act on (shown as a warning), not settled by the retirement.
    needs_action: bool = False


ImpactFunction = Callable[[Region], "Impact | None"]
_impacts: dict[str, tuple[int, ImpactFunction]] = {}


def register_retirement_impact(key: str, impact: ImpactFunction, *, order: int = 100) -> None:
    """Add ``impact(region) -> Impact | None`` under ``key`` (registering again replaces it)."""
    _impacts[key] = (order, impact)


def unregister_retirement_impact(key: str) -> None:
    """Remove an impact (tests)."""
    _impacts.pop(key, None)


def subtree(region: Region):
    """The node and every node under it."""
    return Region.objects.filter(path__startswith=region.path)


NAMES_SHOWN = 10


def staff_impact(region: Region) -> Impact | None:
    """The active role assignments over the place: ended with it."""
    rows = (RoleAssignment.objects.filter(is_active=True, region__path__startswith=region.path)
            .select_related("user", "region").order_by("region__path", "role", "user__username"))
    rows = list(rows)
    return Impact(
        label=_("Staff roles over it"), count=len(rows),
        consequence=_("The roles end: these people no longer see or work the place. Give them a current place "
                      "in their staff record."),
        names=[f"{a.user} · {a.get_role_display()} · {a.region}" for a in rows[:NAMES_SHOWN]],
        needs_action=bool(rows),
    )


register_retirement_impact("org.staff", staff_impact, order=20)


def retirement_impacts(region: Region) -> list[Impact]:
    """What retiring ``region`` (and everything under it) affects, in the registered order."""
    found = []
    for _order, impact in sorted(_impacts.values(), key=lambda item: item[0]):
        result = impact(region)
        if result is not None:
            found.append(result)
    return found
