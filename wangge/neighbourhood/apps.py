from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeighbourhoodConfig(AppConfig):
    """三长 · 三问三联三评 — chiefs, needs, the service-resource library and ratings (S4)."""

    name = "wangge.neighbourhood"
    label = "neighbourhood"
    verbose_name = _("Neighbourhood co-governance (三问三联三评)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import wiring

        wiring.register()
