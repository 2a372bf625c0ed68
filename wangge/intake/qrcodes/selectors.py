"""Reads of QR codes: what a scan names, and the codes a staff member may manage (scoped)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from wangge.org.choices import RegionLevel
from wangge.org.models import Region
from wangge.org.scope import DISPATCHER_ROLES, Scope

from .models import QrCode
from .signing import BadToken, code_id_from, token_for

# Who makes, prints and retires the codes of their territory: the people who run intake there.
MANAGER_ROLES = DISPATCHER_ROLES


@dataclass(frozen=True)
class Scan:
    """What a scanned token names: a code to report at (``ok``), or why not (``problem``:
    "invalid" for a token this platform did not make or that was altered, "retired" for a code
    withdrawn — or whose place was — since it was printed)."""

    code: QrCode | None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.code is not None and not self.problem


def scan(token: str) -> Scan:
    """The code ``token`` names, checked: signature first (nothing is read for a forged token)."""
    try:
        code_id = code_id_from(token)
    except BadToken:
        return Scan(None, "invalid")
    code = QrCode.objects.select_related("region", "community").filter(pk=code_id).first()
    if code is None:
        return Scan(None, "invalid")  # signed by us but deleted: as good as never made
    if not code.is_active or not code.region.is_active:
        return Scan(code, "retired")
    return Scan(code)


def scan_path(token_or_code) -> str:
    token = token_or_code if isinstance(token_or_code, str) else token_for(token_or_code.pk)
    return reverse("intake_qrcodes:scan", kwargs={"token": token})


def scan_url(code: QrCode) -> str:
    """The absolute address printed in the code (``WANGGE_PUBLIC_BASE_URL`` + the scan path)."""
    return str(settings.WANGGE_PUBLIC_BASE_URL).rstrip("/") + scan_path(code)


def codes_visible_to(user) -> QuerySet[QrCode]:
    """The codes of the territory ``user`` runs intake in (all of them for a superuser)."""
    rows = QrCode.objects.select_related("region", "community")
    return Scope.of(user).restrict(rows, roles=MANAGER_ROLES, fields=None, region_field="region")


def may_manage(user, region: Region) -> bool:
    """May ``user`` make, print and retire codes at ``region``?"""
    if not getattr(user, "is_authenticated", False):
        return False
    return Scope.of(user).reaches(QrCode(region=region), roles=MANAGER_ROLES, fields=None, region_field="region")


def communities_for(user) -> list[Region]:
    """The active communities ``user`` may print a batch for, in tree order."""
    communities = Region.objects.filter(level=RegionLevel.COMMUNITY, is_active=True).order_by("path")
    scope = Scope.of(user)
    if scope.everything:
        return list(communities)
    return [c for c in communities if may_manage(user, c)
            or any(r.path.startswith(c.path) for r in scope.regions_for(MANAGER_ROLES))]


def community_codes(user, community: Region, *, active_only: bool = True) -> list[QrCode]:
    """The codes of ``community`` that ``user`` may print, in print order (grid, then building…)."""
    rows = codes_visible_to(user).filter(community=community)
    if active_only:
        rows = rows.filter(is_active=True, region__is_active=True)
    return sorted(rows, key=lambda c: (c.region.path, c.target_type_id or 0, c.target_id or 0, c.pk))


def refusal_path(token: str) -> str:
    """Where to send a browser holding a bad or retired ``token``: its scan page, which says why."""
    from django.urls import NoReverseMatch

    try:
        return scan_path(token)
    except NoReverseMatch:  # characters no URL can carry (a line break…): as bad as any forgery
        return scan_path("-")
