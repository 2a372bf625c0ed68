"""二维码 (码上办) — one printed code, posted at one place."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from wangge.org.choices import RegionLevel

from .choices import QrKind

# The levels of the territory a code may be posted at (a community or larger is too coarse: the
# point of a code is that the resident does not have to say where they are).
CODE_LEVELS = (RegionLevel.GRID, RegionLevel.BUILDING, RegionLevel.UNIT)


class QrCode(models.Model):
    """码上办二维码 — a code posted at a grid, a building or a unit, or (``target``) at any other
    object that sits in one, such as a point of interest (a park, a market, a bus stop).

    ``region`` is where a case filed through the code lands: the grid, building or unit itself,
    or the one the target sits in. ``community`` is copied from the region when the code is
    made, so that a community's codes are listed and printed together. Codes are retired, never
    deleted: a retired code's sheet may still hang on a wall, and it must say so when scanned.
    """

    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("place in the territory")
    )
    community = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    # What else the code is posted at (a point of interest, once such rows exist): optional.
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("posted at (type)"),
    )
    target_id = models.PositiveBigIntegerField(_("posted at (id)"), null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")

    label = models.CharField(
        _("label"), max_length=100, blank=True,
        help_text=_("Where exactly the sheet hangs, for staff (e.g. “east gate notice board”)."),
    )
    place_name = models.CharField(
        _("place name"), max_length=100,
        help_text=_("Printed on the sheet and shown to residents (e.g. “Dongyuan grid 1 · building 3”)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("retired by"),
    )

    class Meta:
        verbose_name = _("QR code")
        verbose_name_plural = _("QR codes")
        ordering = ["community_id", "place_name", "pk"]
        indexes = [models.Index(fields=["community", "is_active"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_type__isnull=True, target_id__isnull=True)
                | models.Q(target_type__isnull=False, target_id__isnull=False),
                name="qrcode_target_type_and_id_together",
            ),
            models.CheckConstraint(
                condition=models.Q(is_active=True, retired_at__isnull=True)
                | models.Q(is_active=False, retired_at__isnull=False),
                name="qrcode_retired_at_exactly_when_retired",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place_name} ({self.reference})"

    @property
    def reference(self) -> str:
        """The number printed small on the sheet, for staff to find the code from a photo of it."""
        return f"QR{self.pk:06d}" if self.pk else "QR------"

    @property
    def kind(self) -> str:
        if self.target_type_id:
            return QrKind.POINT
        return {RegionLevel.GRID: QrKind.GRID, RegionLevel.BUILDING: QrKind.BUILDING,
                RegionLevel.UNIT: QrKind.UNIT}.get(self.region.level, QrKind.GRID)

    def get_kind_display(self) -> str:
        return QrKind(self.kind).label
