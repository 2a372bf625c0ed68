from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WechatConfig(AppConfig):
    """微信公众号 — residents report by messaging their community's official account."""

    name = "wangge.intake.wechat"
    label = "intake_wechat"
    verbose_name = _("WeChat official accounts")

    def ready(self) -> None:
        from wangge.core.events import Mode, subscribe
        from wangge.notifications.registry import register_channel
        from wangge.replies.routes import register_reply_route
        from wangge.residents.signals import resident_anonymised, residents_merged

        from . import erasure, receivers
        from .actions import OUTBOX_CUSTOM

        # The "wechat" case channel itself is registered by cases (resident + integration actors).
        residents_merged.connect(receivers.repoint_merged, dispatch_uid="intake_wechat.repoint_merged")
        resident_anonymised.connect(erasure.forget_erased_resident, dispatch_uid="intake_wechat.forget_erased")
        register_channel(OUTBOX_CUSTOM, _("WeChat customer-service message"), has_subject=False)
        # ATOMIC: the notice is written in the case action's transaction (exists exactly when the
        # change does); the outbox delivers it after commit.
        subscribe("case_accepted", receivers.tell_accepted, mode=Mode.ATOMIC, key="intake_wechat.case_accepted")
        subscribe("case_resolved", receivers.tell_resolved, mode=Mode.ATOMIC, key="intake_wechat.case_resolved")
        subscribe("case_rejected", receivers.tell_rejected, mode=Mode.ATOMIC, key="intake_wechat.case_rejected")
        subscribe("case_merged", receivers.tell_merged, mode=Mode.ATOMIC, key="intake_wechat.case_merged")
        register_reply_route("wechat", _("WeChat official account"), reaches=receivers.reaches_by_wechat)
        from . import readiness

        readiness.register()  # 开通检查: an enabled account needs the public address
