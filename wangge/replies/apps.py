from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepliesConfig(AppConfig):
    name = "wangge.replies"
    label = "replies"
    verbose_name = _("Replies to residents")

    def ready(self) -> None:
        from wangge.core.events import Mode, subscribe

        from . import receivers

        # ATOMIC: the message is written in the transaction of the case change itself, so it
        # exists exactly when the change does; the outbox delivers it after commit.
        subscribe("case_accepted", receivers.tell_reporter_accepted, mode=Mode.ATOMIC, key="replies.case_accepted")
        subscribe("case_resolved", receivers.tell_reporter_resolved, mode=Mode.ATOMIC, key="replies.case_resolved")
        subscribe("case_rejected", receivers.tell_reporter_rejected, mode=Mode.ATOMIC, key="replies.case_rejected")
