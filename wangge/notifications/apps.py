from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "wangge.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from wangge.core.periodic import register_periodic

        from .registry import register_builtins
        from .tasks import delivery_interval

        register_builtins()
        register_periodic("notifications.outbox", "wangge.notifications.tasks.schedule_outbox_run",
                          every_seconds=delivery_interval)
        register_periodic("notifications.digest", "wangge.notifications.digest.schedule_digest_run",
                          every_seconds=3600)
