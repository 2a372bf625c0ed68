"""What the notifications app lets other apps extend at start-up (``AppConfig.ready``).

``notification_kinds``
    站内通知类型 — the ``kind`` of a staff notification. Registered with a label; a notification
    whose kind is not registered is refused (``notify`` raises), so a typo cannot slip through.
``outbox_channels``
    外发渠道 — how a message leaves the platform (SMS, WeChat, e-mail). Meta: ``has_subject``
    (the channel carries a subject line, e.g. e-mail).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wangge.core.registry import Entry, Registry

notification_kinds = Registry("notification kinds")
outbox_channels = Registry("outbox channels")


def register_kind(value: str, label, **meta) -> Entry:
    """Register a notification kind (harmless if ``ready`` runs twice)."""
    return notification_kinds.register(value, label, **meta)


def register_channel(value: str, label, **meta) -> Entry:
    """Register an outbox channel; its gateway is chosen by ``settings.WANGGE_OUTBOX_GATEWAYS``."""
    return outbox_channels.register(value, label, **meta)


class KindValue(str):
    """A registered kind's stored value that also knows its label (``NotificationKind.URGED.label``),
    so code written against the old ``TextChoices`` keeps working."""

    @property
    def value(self) -> str:
        return str(self)

    @property
    def label(self):
        entry = notification_kinds.get(self)
        return entry.label if entry else str(self)


class NotificationKind:
    """The kinds the platform ships with (registered by this app, generic enough for any subject).
    Other apps register their own with ``register_kind`` and need no constant here."""

    ASSIGNED = KindValue("assigned")
    NEARING = KindValue("nearing")
    OVERDUE = KindValue("overdue")
    RETURNED = KindValue("returned")
    URGED = KindValue("urged")
    ESCALATED = KindValue("escalated")
    REOPENED = KindValue("reopened")
    EXTENSION = KindValue("extension")
    CALENDAR = KindValue("calendar")
    RESOLVED = KindValue("resolved")


class OutboxChannel:
    SMS = "sms"
    WECHAT_TEMPLATE = "wechat_template"
    WECHAT_SUBSCRIBE = "wechat_subscribe"
    EMAIL = "email"


def register_builtins() -> None:
    """Called from ``NotificationsConfig.ready``."""
    for value, label in (
        (NotificationKind.ASSIGNED, _("New assignment")),
        (NotificationKind.NEARING, _("Deadline nearing")),
        (NotificationKind.OVERDUE, _("Overdue")),
        (NotificationKind.RETURNED, _("Returned")),
        (NotificationKind.URGED, _("Urged")),
        (NotificationKind.ESCALATED, _("Escalated to your level")),
        (NotificationKind.REOPENED, _("Reopened")),
        (NotificationKind.EXTENSION, _("Extension request")),
        (NotificationKind.CALENDAR, _("Working-day calendar missing")),
        (NotificationKind.RESOLVED, _("Resolved")),
        ("digest", _("Daily digest")),
    ):
        register_kind(str(value), label)
    register_channel(OutboxChannel.SMS, _("SMS"), has_subject=False)
    register_channel(OutboxChannel.WECHAT_TEMPLATE, _("WeChat template message"), has_subject=False)
    register_channel(OutboxChannel.WECHAT_SUBSCRIBE, _("WeChat subscribe message"), has_subject=False)
    register_channel(OutboxChannel.EMAIL, _("E-mail"), has_subject=True)
