from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "wangge.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from django.conf import settings
        from django.core.signals import request_finished
        from django_tasks_db.compat import task_finished, task_started

        from . import checks  # noqa: F401  (registers the deployment checks)
        from .periodic import record_task_finished, record_task_started, register_periodic
        from .requestid import forget_request_id
        from .stored_files import remove_files_of_rolled_back_rows

        register_periodic("core.reactions", "wangge.core.tasks.schedule_reactions_run",
                          every_seconds=lambda: int(getattr(settings, "WANGGE_REACTIONS_INTERVAL", 10)))
        # When each periodic job last ran, for the health check and the worker's watchdog.
        task_started.connect(record_task_started, dispatch_uid="core.periodic.started")
        task_finished.connect(record_task_finished, dispatch_uid="core.periodic.finished")
        request_finished.connect(forget_request_id, dispatch_uid="core.requestid.forget")
        # The files of rows that were rolled back (case attachments, check-in photos …) are
        # deleted when the request or task that wrote them ends (Django has no on_rollback hook).
        request_finished.connect(remove_files_of_rolled_back_rows, dispatch_uid="core.rolled_back_files")
        task_finished.connect(remove_files_of_rolled_back_rows, dispatch_uid="core.rolled_back_files_task")
