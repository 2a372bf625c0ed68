from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "wangge.dashboard"
    label = "dashboard"
    verbose_name = _("Command dashboard")

    def ready(self) -> None:
        from wangge.core.periodic import register_periodic

        def every_seconds() -> int:
            from .tasks import refresh_interval

            return refresh_interval()

        register_periodic("dashboard.refresh_stats", "wangge.dashboard.tasks.schedule_refresh",
                          every_seconds=every_seconds)
