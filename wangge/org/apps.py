from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "wangge.org"
    label = "org"
    verbose_name = _("Territory and organisation")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import events, retirement, signals  # noqa: F401
        from .role_permissions import grant_defaults_after_migrate

        events.define_events()
        from wangge.core.periodic import register_periodic
        from wangge.notifications.registry import register_kind

        from .services import TOKEN_EXPIRY_KIND

        register_kind(TOKEN_EXPIRY_KIND, _("API token expiring (接口令牌到期)"))
        register_periodic("org.token_expiry", "wangge.org.tasks.schedule_token_warnings", every_seconds=3600)
        # Admin permissions per role for the models of apps migrated after org.0003.
        post_migrate.connect(grant_defaults_after_migrate, dispatch_uid="org.role_group_defaults")
        from . import readiness

        readiness.register()  # 开通检查 on the admin index: territory, boundaries, clerk, dispatch, departments
