from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "wangge.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from wangge.core.periodic import register_periodic
        from wangge.residents.signals import resident_anonymised

        from . import receivers
        from .registry import register_builtins
        from .tasks import delivery_interval

        register_builtins()
        resident_anonymised.connect(receivers.forget_erased_resident, dispatch_uid="notifications.forget_erased")
        register_periodic("notifications.outbox", "wangge.notifications.tasks.schedule_outbox_run",
                          every_seconds=delivery_interval)
        register_periodic("notifications.digest", "wangge.notifications.digest.schedule_digest_run",
                          every_seconds=3600)
