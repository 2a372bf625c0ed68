from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "wangge.web"
    label = "web"
    verbose_name = _("Staff workbench and resident pages")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from .signin import count_failure

        user_login_failed.connect(count_failure, dispatch_uid="wangge.web.signin.count_failure")
        from wangge.core.periodic import register_periodic

        # Files kept for hotline calls that came back to confirm a likely duplicate, never filed.
        register_periodic("web.held_uploads", "wangge.web.tasks.schedule_expired_upload_removal", every_seconds=3600)
        # Third-party apps whose admin section titles are not translatable (a plain string, or
        # none): named here; their models' own names are in the project's locale/.
        for label, name in (("axes", _("Login lockouts (axes)")), ("django_tasks_database", _("Task queue"))):
            if apps.is_installed(label) or label in apps.app_configs:
                apps.get_app_config(label).verbose_name = name
        if "django_tasks_database" in apps.app_configs:
            from django_tasks_db.models import DBTaskResult

            # A property in the task list's columns: its header comes from here.
            DBTaskResult.task_name.fget.short_description = _("task")
