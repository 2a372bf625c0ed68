from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KeyPersonsConfig(AppConfig):
    """重点人员 (六访六到六报) — the register of residents who need regular visits, their visits,
    the must-attend entries and the one-tap must-report quick reports."""

    name = "wangge.keypersons"
    label = "keypersons"
    verbose_name = _("Key persons")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wangge.cases.panels import register_case_panel
        from wangge.core.navigation import register_dashboard_tab, register_nav
        from wangge.core.periodic import register_periodic
        from wangge.diary.sources import register_diary_source
        from wangge.notifications.registry import register_kind
        from wangge.residents.retention import register_open_business_check
        from wangge.residents.signals import resident_anonymised, residents_merged

        from . import actions, diary_sources, events, panels, receivers, selectors
        from .tasks import sweep_interval

        events.define_events()
        register_kind(actions.KIND_OVERDUE, _("Key-person visit overdue"))
        register_kind(actions.KIND_INFO_REPORT, _("Information report (六报)"))
        register_kind(actions.KIND_INSTABILITY, _("Instability report (六报)"))
        register_diary_source("keypersons.visits", _("Key-person visits"), diary_sources.visit_lines, order=20)
        register_diary_source("keypersons.attendance", _("Must-attend (六到)"), diary_sources.attendance_lines,
                              order=30)
        register_diary_source("keypersons.reports", _("Must-report (六报)"), diary_sources.report_lines, order=40)
        register_nav("keypersons", _("Key persons"), "keypersons:mine", visible=selectors.can_view, order=61)
        register_dashboard_tab("keypersons", _("Key persons"), "keypersons:coverage",
                               visible=selectors.is_supervisor, order=40)
        register_case_panel("keypersons", template="keypersons/case_panel.html", context=panels.case_origin, order=16)
        register_periodic("keypersons.sweep", "wangge.keypersons.tasks.schedule_sweep", every_seconds=sweep_interval)
        register_open_business_check(receivers.on_active_register)
        resident_anonymised.connect(receivers.blank_copies, dispatch_uid="keypersons.blank_copies")
        residents_merged.connect(receivers.repoint_merged, dispatch_uid="keypersons.repoint_merged")
