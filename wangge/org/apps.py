from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "wangge.org"
    label = "org"
    verbose_name = _("Territory and organisation")

    def ready(self) -> None:
        from . import signals  # noqa: F401
