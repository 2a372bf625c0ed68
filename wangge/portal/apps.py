from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PortalConfig(AppConfig):
    """居民服务 — the public pages where residents report a problem, track it and rate the answer."""

    name = "wangge.portal"
    label = "portal"
    verbose_name = pgettext_lazy("resident", "Resident pages")

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment check)
        from .ratelimit import register_limit

        # Every post of the report form per client address, valid or not: a ceiling against
        # floods, far above the filed reports ("report") that a shared address may send.
        register_limit("report_attempt", 200, 3600)
