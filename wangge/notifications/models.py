from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("New assignment")
    NEARING = "nearing", _("Deadline nearing")
    OVERDUE = "overdue", _("Overdue")
    RETURNED = "returned", _("Returned")
    URGED = "urged", _("Urged")
    ESCALATED = "escalated", _("Escalated to your level")
    REOPENED = "reopened", _("Reopened")
    EXTENSION = "extension", _("Extension request")
    CALENDAR = "calendar", _("Working-day calendar missing")
    RESOLVED = "resolved", _("Resolved")


class Notification(models.Model):
    """站内通知 — one message to one staff member. Written in the same transaction as the case
    change that caused it, so none is lost."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.message
