from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Hotline12345Config(AppConfig):
    """12345 工单导入. The channel "12345" itself is registered by ``cases`` (``cases.channels``)."""

    name = "wangge.intake.hotline12345"
    label = "intake_12345"
    verbose_name = _("12345 hand-over import")

    def ready(self) -> None:
        from wangge.cases.channels import register_source
        from wangge.cases.signals import case_text_erased
        from wangge.core.navigation import register_nav

        from . import erasure
        from .permissions import can_import

        # PIPL: an erased caller's number and name go from the import's preview and reasons too.
        case_text_erased.connect(erasure.erase_case_text, dispatch_uid="intake_12345.erase_case_text")

        # The linked 12345 system files its orders through the API under the import's namespace
        # (an order comes in once, whichever way): with the account of someone who may import them.
        register_source("12345", may_use=can_import)
        register_nav("intake_12345", _("12345 orders"), "intake_12345:home", visible=can_import, order=40)
