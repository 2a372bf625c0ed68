"""One TextChoices class per field."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AttributeDatatype(models.TextChoices):
    """The datatypes a GeoReport v2 service attribute may have (spec: GET Service Definition)."""

    STRING = "string", _("Short text")
    NUMBER = "number", pgettext_lazy("datatype", "Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLE = "singlevaluelist", _("One of a list")
    MULTI = "multivaluelist", _("Several of a list")


LIST_DATATYPES = (AttributeDatatype.SINGLE, AttributeDatatype.MULTI)
