from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "wangge.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from .periodic import register_periodic

        register_periodic("core.reactions", "wangge.core.tasks.schedule_reactions_run",
                          every_seconds=30)
