from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import CaseStatus


class ActorKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    RESIDENT = "resident", _("Resident")
    SYSTEM = "system", _("System")
    INTEGRATION = "integration", _("Integration")


class CaseEvent(models.Model):
    """One entry in a case's timeline. Append-only: written by ``cases.events`` and never
    updated or deleted (全程留痕)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="events")
    # A registered timeline event type (``cases.timeline.event_types``): apps add their own.
    type = models.CharField(_("action"), max_length=48)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices, default=ActorKind.STAFF)
    created_at = models.DateTimeField(_("time"), db_index=True)
    from_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    # Old → new values of the fields the action changed, and its parameters.
    data = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Shown on the resident's tracking page (plain words, no staff names).
    public = models.BooleanField(default=True)
    # What the event came from, in another app: the meeting that decided, the patrol check-in
    # that found it. Generic, so a new app needs no migration here.
    related_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    related_id = models.PositiveBigIntegerField(null=True, blank=True)
    related = GenericForeignKey("related_type", "related_id")

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"])]

    def get_type_display(self) -> str:
        from ..timeline import event_types

        return event_types.label(self.type)

    def __str__(self) -> str:
        return f"{self.case_id} {self.type} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Case events are append-only")
        super().save(*args, **kwargs)
