from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PortalConfig(AppConfig):
    """居民服务 — the public pages where residents report a problem, track it and rate the answer."""

    name = "wangge.portal"
    label = "portal"
    verbose_name = pgettext_lazy("resident", "Resident pages")

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment check)
