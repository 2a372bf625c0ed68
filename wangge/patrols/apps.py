from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    """巡查 (天天转) — points of interest per grid, their visit slots, GPS check-ins, findings that
    become cases, the grid's sunk-in officers (一格八员) and the compliance figures."""

    name = "wangge.patrols"
    label = "patrols"
    verbose_name = _("Patrols (巡查)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wangge.cases.panels import register_case_panel
        from wangge.core.events import Mode, subscribe
        from wangge.core.navigation import register_dashboard_tab, register_nav
        from wangge.core.periodic import register_periodic
        from wangge.diary.sources import register_diary_source
        from wangge.notifications.registry import register_kind
        from wangge.org.events import REGION_RETIRED
        from wangge.org.retirement import register_retirement_impact
        from wangge.org.scope import register_scope_source

        from . import diary, panels, permissions, receivers
        from .actions import NOTIFY_EMERGENCY, NOTIFY_FINDING

        register_kind(NOTIFY_EMERGENCY, _("Emergency found on patrol"))
        register_kind(NOTIFY_FINDING, _("Found on patrol"))
        register_nav("patrols", _("Patrol"), "patrols:today",
                     visible=lambda u: permissions.is_patroller(u) or permissions.is_manager(u), order=15)
        register_dashboard_tab("patrols", _("Patrols (巡查)"), "patrols:figures", visible=permissions.sees_figures,
                               order=20)
        register_case_panel("patrols", template="patrols/case_panel.html", context=panels.case_panel, order=15)
        register_periodic("patrols.schedule", "wangge.patrols.tasks.schedule_patrols", every_seconds=lambda: 900)
        register_diary_source("patrols.checkins", _("Patrol check-ins"), diary.checkin_lines, order=10)
        register_diary_source("patrols.findings", _("Problems found on patrol"), diary.finding_lines, order=11)
        # 一格八员: an officer sunk into a grid sees that grid's cases (their department's own
        # queue is unchanged; a whistle still makes them co-handlers).
        register_scope_source(permissions.officer_grids)
        # A retired grid's points stop being due and its officers leave it (by the worker, after
        # commit; never lost). What retiring a place would touch, for the admin's confirmation.
        subscribe(REGION_RETIRED, receivers.stop_patrols_of_retired_grids, mode=Mode.DURABLE,
                  key="patrols.stop_patrols_of_retired_grids", when=receivers.concerns_grids)
        # The open cases: a count the case desk should register itself (cases knows no such hook yet).
        register_retirement_impact("patrols.points", receivers.points_at, order=50)
        register_retirement_impact("patrols.officers", receivers.officers_at, order=60)
