from django.apps import AppConfig


class MailboxConfig(AppConfig):
    name = "wangge.testing.plugin"
    label = "mailbox"
    verbose_name = "社区意见箱"

    def ready(self):
        from wangge.cases.channels import register_channel
        from wangge.cases.timeline import register_event_type
        from wangge.core.events import Mode, subscribe
        from wangge.notifications.registry import register_kind

        from . import receivers

        register_channel("mailbox", "社区意见箱", icon="mailbox")
        register_event_type("mailbox_answer_due", "意见箱回复待张贴", domain_event="mailbox_answer_due",
                            doc="A suggestion-box case was resolved: post the answer on the board.")
        register_kind("mailbox", "意见箱回复")
        subscribe("case_resolved", receivers.answer_due, mode=Mode.DURABLE, key="mailbox.answer_due")
