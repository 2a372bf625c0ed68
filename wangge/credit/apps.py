from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    """信用积分 / 德誉超市 — residents earn credit for good conduct and spend it at the credit store."""

    name = "wangge.credit"
    label = "credit"
    verbose_name = _("Credit (信用积分)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wangge.core.events import Mode, subscribe
        from wangge.core.navigation import register_dashboard_tab, register_nav
        from wangge.core.periodic import register_periodic
        from wangge.core.ratelimit import register_limit
        from wangge.notifications.registry import register_kind
        from wangge.residents.retention import register_open_business_check
        from wangge.residents.signals import resident_anonymised, residents_merged

        from . import actions, events, permissions, receivers  # noqa: F401 — events defines them

        register_nav("credit", _("Credit"), "credit:accounts", visible=permissions.may_use_credit_desk, order=60)
        # A merchant's sign-in has no territory role: only then is the merchant row looked up.
        register_nav("credit_merchant", _("Redemption code (核销)"), "credit:redeem_code",
                     visible=lambda user: (not user.is_superuser and not user.role_assignments
                                          and permissions.merchant_of(user) is not None),
                     order=61)
        register_dashboard_tab("credit", _("Credit (信用积分)"), "credit:figures",
                               visible=permissions.may_use_credit_desk, order=60)
        register_kind(actions.DISPUTE_KIND, _("Credit dispute (积分申诉)"))
        subscribe("case_accepted", receivers.award_for_confirmed_report, mode=Mode.DURABLE,
                  key="credit.award_for_confirmed_report", when=receivers.may_earn)
        subscribe("credit_booked", receivers.tell_resident_of_earning, mode=Mode.ATOMIC,
                  key="credit.tell_resident_of_earning")
        residents_merged.connect(receivers.residents_merged, dispatch_uid="credit.merge_accounts")
        resident_anonymised.connect(receivers.erase_from_ledger, dispatch_uid="credit.erase_from_ledger")
        register_open_business_check(receivers.open_business)
        register_periodic("credit.expire_lots", "wangge.credit.tasks.schedule_expiry",
                          every_seconds=lambda: 3600)
        # Wrong redemption codes a merchant may enter per window (8 digits: guessing is hopeless).
        register_limit("credit_code", 20, 600)
        # Resident phone pages opened per client address.
        register_limit("credit_resident", 60, 600)
        # Disputes a holder's page may raise per client address (each also notifies staff).
        register_limit("credit_dispute", 10, 3600)
