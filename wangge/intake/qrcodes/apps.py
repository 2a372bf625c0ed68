from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QrCodesConfig(AppConfig):
    """码上办 — printed QR codes that open the resident report page at a known place.

    The channel ("qr_page") is registered by ``wangge.cases`` itself (the portal's ``?via=qr``
    used it first); this app adds the codes, their printed sheets and the scan URL."""

    name = "wangge.intake.qrcodes"
    label = "intake_qrcodes"
    verbose_name = _("QR codes (码上办)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wangge.core.events import Mode, subscribe
        from wangge.core.navigation import register_nav
        from wangge.org.events import REGION_RETIRED
        from wangge.org.retirement import register_retirement_impact
        from wangge.org.scope import Scope

        from . import receivers
        from .selectors import MANAGER_ROLES

        register_nav("intake_qrcodes", _("QR codes"), "intake_qrcodes:codes",
                     visible=lambda user: Scope.of(user).has_any(MANAGER_ROLES), order=30)
        # A retired place's codes stop (by the worker, after commit; never lost).
        subscribe(REGION_RETIRED, receivers.retire_codes_of_retired_places, mode=Mode.DURABLE,
                  key="intake_qrcodes.retire_codes_of_retired_places")
        register_retirement_impact("intake_qrcodes.codes", receivers.codes_at, order=40)
        from . import readiness

        readiness.register()  # 开通检查: active codes need the public address
