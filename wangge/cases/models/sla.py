from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..choices import DurationUnit


def default_amber_ratio() -> float:
    """The share of a stage's time after which the light turns amber (settings.WANGGE_AMBER_RATIO)."""
    return getattr(settings, "WANGGE_AMBER_RATIO", 0.8)


class SlaPolicy(models.Model):
    """时限规则 — the targets for each stage of a case. Defaults from the seeds: accept within
    1 minute, dispatch within 15 minutes (S2); 1★ resolved within 24 hours (S0); QR-page cases
    within 5 working days, cross-department ones within 10–15 working days (S3)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    accept_value = models.PositiveIntegerField(_("accept within"), default=1, validators=[MinValueValidator(1)])
    accept_unit = models.CharField(
        pgettext_lazy("duration", "unit"), max_length=16, choices=DurationUnit.choices, default=DurationUnit.MINUTES
    )
    dispatch_value = models.PositiveIntegerField(_("dispatch within"), default=15, validators=[MinValueValidator(1)])
    dispatch_unit = models.CharField(
        pgettext_lazy("duration", "unit"), max_length=16, choices=DurationUnit.choices, default=DurationUnit.MINUTES
    )
    resolve_value = models.PositiveIntegerField(_("resolve within"), default=5, validators=[MinValueValidator(1)])
    resolve_unit = models.CharField(
        pgettext_lazy("duration", "unit"), max_length=16, choices=DurationUnit.choices, default=DurationUnit.WORKING_DAYS
    )
    amber_ratio = models.FloatField(
        _("amber at share of time used"),
        default=default_amber_ratio,
        validators=[MinValueValidator(0.1), MaxValueValidator(0.99)],
    )
    escalate_when_overdue = models.BooleanField(_("escalate automatically when overdue"), default=True)
    is_default = models.BooleanField(_("default policy"), default=False)

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_sla_policy",
                violation_error_message=_("Another policy is already the default: untick it there first."),
            ),
            models.CheckConstraint(
                condition=models.Q(accept_value__gt=0, dispatch_value__gt=0, resolve_value__gt=0),
                name="sla_policy_positive_targets",
                violation_error_message=_("Every stage needs a time of at least 1."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def target(self, stage: str) -> tuple[int, str]:
        return getattr(self, f"{stage}_value"), getattr(self, f"{stage}_unit")
