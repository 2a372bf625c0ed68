from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "wangge.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from django.conf import settings

        from wangge.core.periodic import register_periodic
        from wangge.residents.retention import register_open_business_check
        from wangge.residents.signals import resident_anonymised, residents_merged
        from wangge.workdays.signals import calendar_year_loaded

        # The case desk's registries, filled on import: channels, timeline types (and their
        # domain events), the actions with their rules and transitions.
        from . import channels, receivers, registry, timeline  # noqa: F401
        from .actions.privacy import open_cases_of

        calendar_year_loaded.connect(receivers.recompute_after_calendar_load,
                                     dispatch_uid="cases.recompute_after_calendar_load")
        register_periodic("cases.sla_sweep", "wangge.cases.tasks.schedule_next_sweep",
                          every_seconds=lambda: settings.WANGGE_SWEEP_INTERVAL)
        residents_merged.connect(receivers.repoint_cases_of_merged_resident, dispatch_uid="cases.repoint_reporter")
        resident_anonymised.connect(receivers.erase_case_snapshots_of_resident,
                                    dispatch_uid="cases.erase_reporter_snapshots")
        register_open_business_check(open_cases_of)
        register_open_business_check(receivers.open_anonymous_cases_of)
        # 撤销 a place: the open cases there are counted on the confirmation page (never moved).
        from wangge.org.retirement import register_retirement_impact

        register_retirement_impact("cases.open_cases", receivers.open_cases_at, order=10)
        from . import readiness

        readiness.register()  # 开通检查: a default deadline policy, every category routed
