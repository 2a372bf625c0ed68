"""Notifications to staff (站内通知) and messages to the world outside (外发消息).

A notification or an outbound message may be about any row of the platform — a case, a patrol, a
meeting — named by its content type and id (its *subject*); neither table knows the apps whose
rows they point at, so any app can notify without a migration here.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import OutboxStatus
from .registry import NotificationKind, notification_kinds, outbox_channels  # noqa: F401  (NotificationKind re-exported)


def validate_kind(value: str) -> None:
    if value not in notification_kinds:
        raise ValidationError(_("Unknown notification kind: %(kind)s"), params={"kind": value}, code="invalid")


def validate_channel(value: str) -> None:
    if value not in outbox_channels:
        raise ValidationError(_("Unknown outbox channel: %(channel)s"), params={"channel": value}, code="invalid")


class SubjectQuerySet(models.QuerySet):
    def about(self, subject):
        """The rows about ``subject`` (any model instance)."""
        return self.filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk)


class Notification(models.Model):
    """站内通知 — one message to one staff member about one subject (or none). Written in the same
    transaction as the change that caused it, so none is lost; a ``dedupe_key`` makes a notice
    that must reach each person once (the calendar alert of a year) reach them once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # A registered kind (``registry.notification_kinds``): no choices, so a new kind needs no migration.
    kind = models.CharField(_("kind"), max_length=32, validators=[validate_kind])
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("subject type")
    )
    subject_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    url = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, blank=True)
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"]),
            models.Index(fields=["subject_type", "subject_id"], name="notification_subject"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_unique_dedupe_key"
            ),
            models.CheckConstraint(
                condition=Q(subject_type__isnull=True, subject_id__isnull=True)
                | Q(subject_type__isnull=False, subject_id__isnull=False),
                name="notification_subject_whole",
            ),
        ]

    def __str__(self) -> str:
        return self.message

    def get_kind_display(self) -> str:
        return notification_kinds.label(self.kind)


class MessageTemplate(models.Model):
    """消息模板 — the text of a message to residents, editable by admins. ``body`` (and ``title``
    for e-mail) use Django template syntax, rendered without HTML escaping: ``{{ number }}``."""

    key = models.SlugField(_("key"), max_length=64, unique=True)
    channel = models.CharField(pgettext_lazy("outbox", "channel"), max_length=32, validators=[validate_channel])
    title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("E-mail only: the subject line."))
    body = models.TextField(_("body"))
    description = models.CharField(pgettext_lazy("outbox", "description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True, help_text=_("An inactive template sends nothing."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    def get_channel_display(self) -> str:
        return outbox_channels.label(self.channel)

    def clean(self) -> None:
        from django.template import TemplateSyntaxError

        from .outbox import compile_text

        for field in ("title", "body"):
            try:
                compile_text(getattr(self, field))
            except TemplateSyntaxError as exc:
                raise ValidationError({field: _("Template error: %(error)s") % {"error": exc}}) from exc


class OutboundMessage(models.Model):
    """外发消息 — one message to one address outside the platform (SMS, WeChat, e-mail): the outbox.

    Written in the same transaction as the event that causes it and delivered after commit by the
    background workers (``outbox.deliver_due_messages``). ``dedupe_key`` is unique: the same event
    never queues a second message to the same recipient, and it is the idempotency key the
    gateway is given, so a message re-sent after a worker died is still received once."""

    channel = models.CharField(pgettext_lazy("outbox", "channel"), max_length=32, validators=[validate_channel])
    to = models.CharField(_("to"), max_length=200)
    template = models.CharField(_("template"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    # The context values that are secrets (a verification code): masked wherever the row is shown,
    # and replaced by the mask in title, body and context once the message is sent or given up —
    # the worker needs them until then, nobody after.
    secret_keys = models.JSONField(_("secret context keys"), default=list, blank=True)
    # Set by the caller for a message to an address the platform may not keep (the confirmation of
    # a resident's erasure): once sent or given up, ``to`` holds only the masked form.
    forget_recipient = models.BooleanField(_("forget the recipient once sent"), default=False)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("subject type")
    )
    subject_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When a worker should look at the row next: the next try of a pending row, the end of the
    # lease of a row being sent (past it the worker is presumed dead and the row is taken again).
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    lease_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    gateway_message_id = models.CharField(_("gateway message id"), max_length=128, blank=True)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="outbox_due",
                         condition=Q(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING])),
            models.Index(fields=["status", "-created_at"], name="outbox_status"),
            models.Index(fields=["subject_type", "subject_id"], name="outbox_subject"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=OutboxStatus.SENT, sent_at__isnull=False) | ~Q(status=OutboxStatus.SENT),
                name="outbox_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]) | Q(next_attempt_at__isnull=False),
                name="outbox_waiting_has_due_time",
            ),
        ]

    def __str__(self) -> str:
        # Masked (138****1234): this string is the admin page's title and may reach logs; the
        # dedupe key is left out because it holds the number too.
        to = self.to
        masked = f"{to[:1]}***@{to.partition('@')[2]}" if "@" in to else (
            to[:3] + "*" * (len(to) - 7) + to[-4:] if len(to) > 7 else to[:1] + "***")
        return f"{self.channel} → {masked} ({self.template or self.pk})"

    def get_channel_display(self) -> str:
        return outbox_channels.label(self.channel)


class NotificationPreference(models.Model):
    """How a staff member wants their notifications: with a daily digest (每日汇总) — one message a
    morning that counts yesterday's notifications by kind and place, with the links to act on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    daily_digest = models.BooleanField(_("daily digest"), default=False)
    last_digest_on = models.DateField(_("last digest on"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}: {'digest' if self.daily_digest else 'each'}"

    @classmethod
    def digest_for(cls, user) -> bool:
        return cls.objects.filter(user=user, daily_digest=True).exists()
