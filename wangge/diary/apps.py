"""网格长工作日记 — the grid worker's work diary, compiled from what the field apps record."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiaryConfig(AppConfig):
    name = "wangge.diary"
    label = "diary"
    verbose_name = _("Work diary")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wangge.core.navigation import register_nav
        from wangge.core.periodic import register_periodic

        from . import selectors
        from .case_source import case_lines
        from .sources import register_diary_source
        from .tasks import close_interval

        register_diary_source("cases", _("Cases"), case_lines, order=50)
        register_nav("diary", _("Work diary"), "diary:today",
                     visible=lambda user: selectors.keeps_diary(user) or selectors.is_supervisor(user), order=62)
        register_periodic("diary.close_days", "wangge.diary.tasks.schedule_close", every_seconds=close_interval)
