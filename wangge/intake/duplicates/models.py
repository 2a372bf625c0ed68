"""疑似重复 and 分类建议 — duplicate candidates, the reporters a case gathers, the per-category
search rules and the trained category classifier."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import CandidateStatus, LinkKind

DEFAULT_RADIUS_M = 250
DEFAULT_WINDOW_DAYS = 30
DEFAULT_CLOSED_DAYS = 7


class DuplicateRule(models.Model):
    """查重范围 — how far and how far back to look for the same problem, per category (and its
    subcategories, unless they have their own rule). Categories without a rule use 250 m, 30 days
    and cases closed in the last 7 days."""

    category = models.OneToOneField("cases.Category", on_delete=models.CASCADE, related_name="+",
                                    verbose_name=_("category"))
    radius_m = models.PositiveIntegerField(_("distance (metres)"), default=DEFAULT_RADIUS_M,
                                           validators=[MinValueValidator(10), MaxValueValidator(5000)])
    window_days = models.PositiveSmallIntegerField(_("time window (days)"), default=DEFAULT_WINDOW_DAYS,
                                                   validators=[MinValueValidator(1), MaxValueValidator(365)])
    closed_days = models.PositiveSmallIntegerField(
        _("recently closed (days)"), default=DEFAULT_CLOSED_DAYS, validators=[MaxValueValidator(90)],
        help_text=_("Cases closed this many days ago or less are still shown as possible duplicates."))
    enabled = models.BooleanField(_("look for duplicates"), default=True)

    class Meta:
        verbose_name = _("duplicate search rule")
        verbose_name_plural = _("duplicate search rules")
        constraints = [
            models.CheckConstraint(condition=models.Q(radius_m__gte=10, radius_m__lte=5000),
                                   name="duplicate_rule_radius_10_5000"),
            models.CheckConstraint(condition=models.Q(window_days__gte=1, window_days__lte=365),
                                   name="duplicate_rule_window_1_365"),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.radius_m} m / {self.window_days} d"


class DuplicateCandidate(models.Model):
    """疑似重复 — ``case`` (the newer report) may be the same problem as ``candidate`` (an
    earlier one). A person confirms (the newer is merged into the surviving case) or dismisses."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    candidate = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("possible duplicate of"))
    score = models.FloatField(_("score"))
    # Why: {"distance_m": 40, "text": 0.62, "category": "same" | "related" | "unknown", "hours": 5}
    reasons = models.JSONField(_("reasons"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=CandidateStatus.choices,
                              default=CandidateStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-score", "pk"]
        indexes = [
            models.Index(fields=["case", "status"]),
            models.Index(fields=["candidate", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "candidate"], name="duplicate_candidate_once"),
            models.CheckConstraint(condition=~models.Q(case=models.F("candidate")), name="duplicate_not_itself"),
            models.CheckConstraint(
                condition=models.Q(status=CandidateStatus.OPEN, decided_at__isnull=True)
                | (~models.Q(status=CandidateStatus.OPEN) & models.Q(decided_at__isnull=False)),
                name="duplicate_decided_at_iff_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} ~ {self.candidate_id} ({self.score:.2f})"


class CaseReporterLink(models.Model):
    """同一问题的其他反映人 — a resident counted on a case that is not their own report: the
    reporter of a case merged into it, or a resident who added themselves from the report page
    (their report is filed as a case of its own, ``from_case``, until a clerk merges it in).
    They hear of the case's acceptance and resolution as its own reporter does."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    kind = models.CharField(_("how"), max_length=8, choices=LinkKind.choices)
    # The report whose reporter this is: the merged case, or the joining resident's own report
    # (none for a resident who added themselves before joins filed a report of their own).
    from_case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                  verbose_name=_("merged report"))
    # None: an anonymous report, or a staff report without a phone — still counted.
    resident = models.ForeignKey("residents.Resident", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("resident"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("further reporter")
        verbose_name_plural = _("further reporters")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"]), models.Index(fields=["resident"])]
        constraints = [
            models.UniqueConstraint(fields=["case", "from_case"], condition=models.Q(from_case__isnull=False),
                                    name="reporter_link_once_per_merged_case"),
            models.UniqueConstraint(fields=["case", "resident"],
                                    condition=models.Q(resident__isnull=False, kind=LinkKind.JOINED),
                                    name="reporter_link_once_per_resident"),
            models.CheckConstraint(
                condition=(models.Q(kind=LinkKind.MERGED) & models.Q(from_case__isnull=False))
                | models.Q(kind=LinkKind.JOINED),
                name="reporter_link_merged_has_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} ← {self.get_kind_display()}"


class CategoryClassifier(models.Model):
    """分类模型 — a multinomial naive Bayes classifier over character bigrams, trained on closed
    cases (``manage.py train_category_classifier`` and a daily job). The newest row is used."""

    trained_at = models.DateTimeField(_("trained at"), default=timezone.now, db_index=True)
    cases = models.PositiveIntegerField(_("cases trained on"))
    categories = models.PositiveIntegerField(pgettext_lazy("how many", "categories"))
    accuracy = models.FloatField(_("held-out accuracy"), null=True, blank=True)
    # {"classes": {category_id: [doc_count, token_total, {gram: count}]}, "vocab": n}
    model = models.JSONField()

    class Meta:
        verbose_name = _("category classifier")
        verbose_name_plural = _("category classifiers")
        ordering = ["-trained_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.trained_at:%Y-%m-%d %H:%M} ({self.cases})"
