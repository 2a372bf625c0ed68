from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from ..choices import GridType, RegionLevel


class Region(MP_Node):
    """辖区 — one node of the territory tree: city → district → sub-district → community → grid →
    building → unit.

    Grids are never moved or deleted once cases refer to them: when grids are redrawn (S1: 37
    merged into 24) the old grids are retired (``is_active=False``) and new ones created, so a
    case keeps the grid it was filed in.
    """

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=40, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    grid_type = models.CharField(
        _("grid type"), max_length=16, choices=GridType.choices, blank=True
    )
    # GeoJSON geometry (Polygon or MultiPolygon, WGS84 lng/lat) — grids have one; others may.
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    # 别名与地址 — what residents call the place: compound (小区) names, street numbers, landmarks;
    # one a line. The address search (``org.address``) finds the node by these too.
    aliases = models.TextField(_("other names and addresses"), blank=True,
                               help_text=_("One a line: compound names, street addresses, landmarks."))
    is_active = models.BooleanField(_("active"), default=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["level", "is_active"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grid_type="") | models.Q(level=RegionLevel.GRID),
                name="region_grid_type_only_on_grids",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor_at(self, level: str) -> "Region | None":
        """This node or its ancestor at ``level`` (None when the tree has no such level above)."""
        if self.level == level:
            return self
        for node in Region.objects.get_ancestors(self):
            if node.level == level:
                return node
        return None

    @property
    def full_name(self) -> str:
        names = [n.name for n in Region.objects.get_ancestors(self) if n.level not in (RegionLevel.CITY,)]
        return " / ".join([*names, self.name])
