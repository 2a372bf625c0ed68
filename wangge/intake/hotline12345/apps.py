from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Hotline12345Config(AppConfig):
    """12345 工单导入. The channel "12345" itself is registered by ``cases`` (``cases.channels``)."""

    name = "wangge.intake.hotline12345"
    label = "intake_12345"
    verbose_name = _("12345 hand-over import")

    def ready(self) -> None:
        from wangge.core.navigation import register_nav

        from .permissions import can_import

        register_nav("intake_12345", _("12345 orders"), "intake_12345:home", visible=can_import, order=40)
