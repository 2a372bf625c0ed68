"""Writes of QR codes: make, make a community's batch, retire. Each checks the actor's reach,
validates, and writes in one transaction; nothing is written when it refuses."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core.errors import Forbidden, InvalidInput
from wangge.org.choices import RegionLevel
from wangge.org.models import Region, User

from .models import CODE_LEVELS, QrCode
from .selectors import may_manage


def default_place_name(region: Region) -> str:
    """“东园社区 · 东园第1网格 · 3号楼”: the names from the community down to ``region``."""
    names = [r.name for r in Region.objects.get_ancestors(region)
             if r.level not in (RegionLevel.CITY, RegionLevel.DISTRICT, RegionLevel.SUBDISTRICT)]
    return " · ".join([*names, region.name])[:100]


def check_place(region: Region) -> Region:
    if region is None or region.level not in CODE_LEVELS:
        raise InvalidInput(_("A QR code is posted at a grid, a building or a unit."), fields={"region": "level"})
    if not region.is_active:
        raise InvalidInput(_("That place is no longer in use."), fields={"region": "inactive"})
    community = region.ancestor_at(RegionLevel.COMMUNITY)
    if community is None:
        raise InvalidInput(_("That place is not inside a community."), fields={"region": "no_community"})
    return community


def _clean(value: str, *, field: str, max_length: int) -> str:
    value = " ".join((value or "").split())
    if len(value) > max_length:
        raise InvalidInput(_("At most %(n)d characters.") % {"n": max_length}, fields={field: "too_long"})
    return value


@transaction.atomic
def create_qr_code(*, actor: User, region: Region, label: str = "", place_name: str = "",
                   target=None) -> QrCode:
    """制码 — a new code at ``region`` (a grid, building or unit), optionally posted at ``target``
    (any saved object that sits in ``region``: a point of interest)."""
    community = check_place(region)
    if not may_manage(actor, region):
        raise Forbidden(_("You may not make QR codes for that place."))
    label = _clean(label, field="label", max_length=100)
    place_name = _clean(place_name, field="place_name", max_length=100) or default_place_name(region)
    if target is not None and getattr(target, "pk", None) is None:
        raise InvalidInput(_("The code must point at a saved object."), fields={"target": "unsaved"})
    code = QrCode(region=region, community=community, label=label, place_name=place_name, created_by=actor)
    if target is not None:
        code.target_type = ContentType.objects.get_for_model(target)
        code.target_id = target.pk
    code.save()
    return code


@transaction.atomic
def create_codes_for_community(*, actor: User, community: Region,
                               levels=(RegionLevel.GRID, RegionLevel.BUILDING)) -> list[QrCode]:
    """批量制码 — a code for every active grid and building of ``community`` that has no active
    code of its own yet (re-running it makes only the missing ones). Returns the new codes."""
    if community is None or community.level != RegionLevel.COMMUNITY:
        raise InvalidInput(_("Choose a community."), fields={"community": "level"})
    if not may_manage(actor, community):
        raise Forbidden(_("You may not make QR codes for that community."))
    if not set(levels) <= set(CODE_LEVELS):
        raise InvalidInput(_("A QR code is posted at a grid, a building or a unit."), fields={"levels": "level"})
    places = Region.objects.filter(path__startswith=community.path, level__in=list(levels), is_active=True)
    covered = set(QrCode.objects.filter(community=community, is_active=True, target_type__isnull=True)
                  .values_list("region_id", flat=True))
    made = []
    for region in places.order_by("path"):
        if region.pk not in covered:
            made.append(create_qr_code(actor=actor, region=region))
    return made


@transaction.atomic
def retire_qr_code(*, actor: User, code: QrCode) -> QrCode:
    """停用 — the code stops opening the report page; a scan then says it is no longer in use.
    Retiring a retired code changes nothing."""
    code = QrCode.objects.select_for_update().select_related("region").get(pk=code.pk)
    if not may_manage(actor, code.region):
        raise Forbidden(_("You may not retire that QR code."))
    if not code.is_active:
        return code
    code.is_active = False
    code.retired_at = timezone.now()
    code.retired_by = actor
    code.save(update_fields=["is_active", "retired_at", "retired_by"])
    return code
