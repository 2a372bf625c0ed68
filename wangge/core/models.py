"""Platform rows that belong to no domain app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingReaction(models.Model):
    """待处理的事件响应 — a durable subscriber's reaction to a domain event, written in the same
    transaction as the event and deleted when the reaction has run (see ``core.events``)."""

    subscriber = models.CharField(_("subscriber"), max_length=200)
    event = models.JSONField(_("event"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    due_at = models.DateTimeField(_("due at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    dead = models.BooleanField(_("gave up"), default=False)

    class Meta:
        verbose_name = _("pending event reaction")
        verbose_name_plural = _("pending event reactions")
        indexes = [models.Index(fields=["dead", "due_at"], name="core_reaction_due")]

    def __str__(self) -> str:
        return f"{self.subscriber} ← {self.event.get('name')} {self.event.get('key')}"
