from django.db import models
from django.utils.translation import gettext_lazy as _


class QrKind(models.TextChoices):
    """Where a code is posted: derived from what it points at, never stored twice."""

    GRID = "grid", _("Grid")
    BUILDING = "building", _("Building")
    UNIT = "unit", _("Unit")
    POINT = "point", _("Point of interest")


class SheetSize(models.TextChoices):
    """The paper a sheet is printed on (width × height in millimetres below)."""

    A4 = "A4", "A4"
    A5 = "A5", "A5"


SHEET_MM = {SheetSize.A4: (210, 297), SheetSize.A5: (148, 210)}


class SheetFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    SVG = "svg", "SVG"
