from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """审计 — the exportable audit: sign-ins, the append-only guard on the record, its checks."""

    name = "wangge.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self):
        from . import checks, receivers  # noqa: F401  (connect the sign-in signals, register the check)
