"""三长 · 三问 · 三联 · 三评 — the three chiefs, residents' needs, the service-resource library and
the ratings that close the loop (S4, Hongcheng sub-district).

Rows sit in the territory by a foreign key to their ``Region`` (the finest place known: a unit,
a building, a grid or a community) plus the community copied when they are written, so that the
scope rules of ``org.scope`` and a community's figures both work. Every write goes through
``actions``; the published quarters are immutable snapshots (refused in code, and by a trigger on
PostgreSQL).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import (
    AwardTarget,
    ChiefKind,
    CompoundType,
    FixedAnswer,
    NeedLevel,
    NeedScope,
    NeedSource,
    NeedStatus,
    PeriodStatus,
    ResourceTier,
    ScoreTarget,
    SelectionMethod,
)

REGION = "org.Region"
USER = settings.AUTH_USER_MODEL


class NeedClass(models.Model):
    """需求类别 — one of the classes of the needs list (S4: 8 classes; editable in the admin).
    Resources name the classes they serve with the same rows."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("need class")
        verbose_name_plural = _("need classes")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Chief(models.Model):
    """三长 — a grid chief (网格长), building chief (楼栋长) or unit chief (单元长).

    The person is a member of staff or a volunteer resident; either way they sign in with a
    ``user`` account — a volunteer's is a limited one made at appointment (no staff role, no
    workbench: only the chief's phone pages). ``ended_at`` is set when the term ends or the
    chief is relieved; a place has at most one serving chief."""

    kind = models.CharField(_("kind"), max_length=16, choices=ChiefKind.choices)
    region = models.ForeignKey(REGION, on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    community = models.ForeignKey(REGION, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="neighbourhood_chiefs",
                             verbose_name=_("account"))
    resident = models.ForeignKey("residents.Resident", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("resident"))
    name = models.CharField(_("name"), max_length=50)
    is_party_member = models.BooleanField(_("party member"), default=False)
    selection_method = models.CharField(_("how chosen"), max_length=16, choices=SelectionMethod.choices)
    compound_type = models.CharField(_("compound type"), max_length=16, choices=CompoundType.choices, blank=True)
    selection_note = models.CharField(_("selection note"), max_length=200, blank=True)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    appointed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("appointed by"))
    appointed_at = models.DateTimeField(_("appointed at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("chief")
        verbose_name_plural = _("chiefs (三长)")
        ordering = ["community_id", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["region"], condition=Q(ended_at__isnull=True),
                                    name="nb_one_serving_chief_per_place"),
            models.CheckConstraint(condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")),
                                   name="nb_chief_term_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    @property
    def is_serving(self) -> bool:
        return self.ended_at is None


class SentimentEntry(models.Model):
    """社情民意日志 — one line of a chief's door-to-door diary (入户问): whom they visited, what
    was said. A need raised at the door points back to its line."""

    chief = models.ForeignKey(Chief, on_delete=models.PROTECT, related_name="diary", verbose_name=_("chief"))
    region = models.ForeignKey(REGION, on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    household = models.ForeignKey("residents.Household", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("household"))
    visited_at = models.DateTimeField(pgettext_lazy("visit", "visited at"), default=timezone.now)
    note = models.TextField(_("what was said"), max_length=2000)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("sentiment diary entry")
        verbose_name_plural = _("sentiment diary (社情民意日志)")
        ordering = ["-visited_at"]


class Questionnaire(models.Model):
    """线上问 — a questionnaire or monthly theme a community publishes; residents answer it on a
    public phone page reached by its link or QR code, each answer a need."""

    community = models.ForeignKey(REGION, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    title = models.CharField(_("title"), max_length=100)
    question = models.TextField(_("question"), max_length=1000)
    is_open = models.BooleanField(_("open for answers"), default=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires (线上问)")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Need(models.Model):
    """需求 — one entry of the needs list (需求清单): what residents need, how it was raised, and
    how it was answered (a resource, a case, or escalation to the community / sub-district)."""

    need_class = models.ForeignKey(NeedClass, on_delete=models.PROTECT, related_name="+", verbose_name=_("class"))
    description = models.TextField(pgettext_lazy("need", "description"), max_length=2000)
    source = models.CharField(_("raised by"), max_length=16, choices=NeedSource.choices)
    scope = models.CharField(_("common or individual"), max_length=16, choices=NeedScope.choices,
                             default=NeedScope.INDIVIDUAL)
    status = models.CharField(_("status"), max_length=16, choices=NeedStatus.choices, default=NeedStatus.OPEN,
                              db_index=True)
    level = models.CharField(_("held by"), max_length=16, choices=NeedLevel.choices, default=NeedLevel.CHIEFS)
    region = models.ForeignKey(REGION, on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    community = models.ForeignKey(REGION, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    resident = models.ForeignKey("residents.Resident", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("raised by resident"))
    chief = models.ForeignKey(Chief, on_delete=models.PROTECT, null=True, blank=True, related_name="needs",
                              verbose_name=_("chief"))
    sentiment_entry = models.ForeignKey(SentimentEntry, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="needs", verbose_name=_("diary entry"))
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="needs", verbose_name=_("questionnaire"))
    meeting_ref = models.CharField(_("meeting"), max_length=100, blank=True)
    resource = models.ForeignKey("Resource", on_delete=models.PROTECT, null=True, blank=True, related_name="needs",
                                 verbose_name=_("matched resource"))
    case_id = models.BigIntegerField(_("case id"), null=True, blank=True, db_index=True)
    case_number = models.CharField(_("case number"), max_length=32, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged",
                                    verbose_name=_("merged into"))
    household_count = models.PositiveIntegerField(_("households"), default=0)
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("recorded by"))
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now, db_index=True)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs list (需求清单)")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status=NeedStatus.MERGED, merged_into__isnull=False)
                                   | (~Q(status=NeedStatus.MERGED) & Q(merged_into__isnull=True)),
                                   name="nb_need_merged_has_target"),
            models.CheckConstraint(condition=~Q(status=NeedStatus.CASE) | Q(case_id__isnull=False),
                                   name="nb_need_case_has_case"),
            models.CheckConstraint(condition=~Q(status=NeedStatus.MATCHED) | Q(resource__isnull=False),
                                   name="nb_need_matched_has_resource"),
        ]
        indexes = [models.Index(fields=["community", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.need_class}"

    @property
    def reference(self) -> str:
        return f"XQ{self.pk:06d}" if self.pk else ""

    def get_absolute_url(self) -> str:
        return reverse("neighbourhood:need", args=[self.pk])


class NeedHousehold(models.Model):
    """A household that has this need: a common need counts its households distinctly."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="household_links", verbose_name=_("need"))
    household = models.ForeignKey("residents.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("household"))
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("household of a need")
        verbose_name_plural = _("households of needs")
        constraints = [models.UniqueConstraint(fields=["need", "household"], name="nb_need_household_once")]


class NeedEvent(models.Model):
    """需求记录 — what happened to a need, by whom (append-only)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="events", verbose_name=_("need"))
    type = models.CharField(_("type"), max_length=32)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=pgettext_lazy("actor", "by"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("need event")
        verbose_name_plural = _("need events")
        ordering = ["at", "pk"]

    @property
    def label(self) -> str:
        """What happened, in words (the stored ``type`` is a code)."""
        from .choices import ESCALATED_TO_LABELS, NEED_EVENT_LABELS

        if self.type == "escalated" and self.data.get("level") in ESCALATED_TO_LABELS:
            return str(ESCALATED_TO_LABELS[self.data["level"]])
        label = NEED_EVENT_LABELS.get(self.type)
        return str(label) if label is not None else self.type


class Resource(models.Model):
    """服务资源 — one entry of the service-resource library (服务资源库, S4: 220 resources): a
    convenience business, a civic or volunteer group, a social organisation or a public service."""

    name = models.CharField(_("name"), max_length=100)
    provider = models.CharField(_("provider"), max_length=100)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    tier = models.CharField(_("tier"), max_length=16, choices=ResourceTier.choices)
    classes = models.ManyToManyField(NeedClass, related_name="resources", verbose_name=_("service classes"))
    # What it offers in residents' words: the matcher looks for them in a need's description
    # (a class alone puts a barber beside a grain shop for “代买米面油”).
    offers = models.CharField(
        _("services offered"), max_length=300, blank=True,
        help_text=_("Short words residents would use, separated by 、 or spaces, e.g. 代买、米、面、油、送货上门."))
    area = models.ForeignKey(REGION, on_delete=models.PROTECT, related_name="+", verbose_name=_("service area"))
    capacity = models.PositiveIntegerField(_("capacity (households a month)"), default=0)
    hours = models.CharField(pgettext_lazy("opening", "hours"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    linked_by = models.ForeignKey(Chief, on_delete=models.SET_NULL, null=True, blank=True, related_name="resources",
                                  verbose_name=_("linked by chief"))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("service resource")
        verbose_name_plural = _("service-resource library (服务资源库)")
        ordering = ["tier", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(longitude__isnull=True, latitude__isnull=True)
                                   | Q(longitude__isnull=False, latitude__isnull=False),
                                   name="nb_resource_both_coordinates"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("neighbourhood:resource", args=[self.pk])


class ResourceContactView(models.Model):
    """Every full view of a resource's contact (masked elsewhere)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+", verbose_name=_("resource"))
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("viewed by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    granted = models.BooleanField(_("granted"), default=True)

    class Meta:
        verbose_name = _("resource contact view")
        verbose_name_plural = _("resource contact views")
        ordering = ["-at"]


class ServiceRecord(models.Model):
    """服务记录 — a service delivered: who was served, what, when, by which resource, through which
    chief. The tier and class are copied at recording time for the figures."""

    need = models.ForeignKey(Need, on_delete=models.PROTECT, null=True, blank=True, related_name="services",
                             verbose_name=_("need"))
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="services",
                                 verbose_name=_("resource"))
    chief = models.ForeignKey(Chief, on_delete=models.PROTECT, related_name="services", verbose_name=_("chief"))
    household = models.ForeignKey("residents.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("household served"))
    resident = models.ForeignKey("residents.Resident", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("resident served"))
    description = models.CharField(_("what was done"), max_length=500)
    served_at = models.DateTimeField(_("served at"), default=timezone.now, db_index=True)
    tier = models.CharField(_("tier"), max_length=16, choices=ResourceTier.choices)
    need_class = models.ForeignKey(NeedClass, on_delete=models.PROTECT, related_name="+", verbose_name=_("class"))
    region = models.ForeignKey(REGION, on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    community = models.ForeignKey(REGION, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-served_at", "-pk"]

    def __str__(self) -> str:
        return f"FW{self.pk:06d} {self.description[:20]}"

    def get_absolute_url(self) -> str:
        return reverse("neighbourhood:service", args=[self.pk])


class Rating(models.Model):
    """三评 — one household's rating of one service (1–5) and of the chief who brought it, with a
    comment and the “was it really fixed?” answer. One per household per service: the database
    refuses a second."""

    service = models.ForeignKey(ServiceRecord, on_delete=models.PROTECT, related_name="ratings",
                                verbose_name=_("service"))
    household = models.ForeignKey("residents.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("household"))
    chief = models.ForeignKey(Chief, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("chief"))
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="ratings",
                                 verbose_name=_("resource"))
    service_score = models.PositiveSmallIntegerField(_("service score"))
    chief_score = models.PositiveSmallIntegerField(_("chief score"), null=True, blank=True)
    fixed = models.CharField(_("really fixed?"), max_length=8, choices=FixedAnswer.choices, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings (三评)")
        ordering = ["-rated_at"]
        constraints = [
            models.UniqueConstraint(fields=["service", "household"], name="nb_one_rating_per_household_service"),
            models.CheckConstraint(condition=Q(service_score__gte=1, service_score__lte=5),
                                   name="nb_rating_service_score_1_5"),
            models.CheckConstraint(condition=Q(chief_score__isnull=True) | Q(chief_score__gte=1, chief_score__lte=5),
                                   name="nb_rating_chief_score_1_5"),
        ]


class FollowUp(models.Model):
    """回访问卷 — after a case made from a need is closed: “was it really fixed?” (as
    FixMyStreet asks). The answer's score counts toward the chief's rating."""

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("need"))
    case_id = models.BigIntegerField(_("case id"))
    case_number = models.CharField(_("case number"), max_length=32, blank=True)
    chief = models.ForeignKey(Chief, on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups",
                              verbose_name=_("chief"))
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, db_index=True)
    fixed = models.CharField(_("really fixed?"), max_length=8, choices=FixedAnswer.choices, blank=True)
    score = models.PositiveSmallIntegerField(pgettext_lazy("rating", "score"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups (was it really fixed?)")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["need", "case_id"], name="nb_one_follow_up_per_case"),
            models.CheckConstraint(condition=Q(answered_at__isnull=True) | (~Q(fixed="") & Q(score__gte=1, score__lte=5)),
                                   name="nb_follow_up_answer_complete"),
        ]


# One string per quarter: Chinese writes the quarter as a word (第三季度), not a digit.
QUARTER_LABELS = {
    1: _("%(year)s Q1"),
    2: _("%(year)s Q2"),
    3: _("%(year)s Q3"),
    4: _("%(year)s Q4"),
}


def quarter_label(year: int, quarter: int) -> str:
    label = QUARTER_LABELS.get(quarter)
    return str(label) % {"year": year} if label is not None else f"{year} Q{quarter}"


class RatingPeriod(models.Model):
    """季度公示 — one quarter's publication of the scores of a sub-district: reviewed by staff,
    then published as an immutable snapshot (``PublishedScore``)."""

    subdistrict = models.ForeignKey(REGION, on_delete=models.PROTECT, related_name="+", verbose_name=_("sub-district"))
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    min_ratings = models.PositiveSmallIntegerField(_("minimum ratings to publish"), default=3)
    status = models.CharField(_("status"), max_length=16, choices=PeriodStatus.choices, default=PeriodStatus.REVIEWED)
    formula = models.TextField(_("formula"), blank=True)
    reviewed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    published_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("published by"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating quarter")
        verbose_name_plural = _("rating quarters (季度公示)")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "year", "quarter"], name="nb_one_period_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="nb_period_quarter_1_4"),
            models.CheckConstraint(condition=Q(min_ratings__gte=1), name="nb_period_min_ratings_positive"),
            models.CheckConstraint(condition=~Q(status=PeriodStatus.PUBLISHED) | Q(published_at__isnull=False),
                                   name="nb_period_published_has_time"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The quarter as residents read it: “2026 Q3”, “2026年第三季度”."""
        return quarter_label(self.year, self.quarter)

    @property
    def is_published(self) -> bool:
        return self.status == PeriodStatus.PUBLISHED


class PublishedScore(models.Model):
    """One published score of a quarter (快照): never changed after publication."""

    period = models.ForeignKey(RatingPeriod, on_delete=models.PROTECT, related_name="scores", verbose_name=_("quarter"))
    target = models.CharField(pgettext_lazy("rating", "rated"), max_length=16, choices=ScoreTarget.choices)
    service = models.ForeignKey(ServiceRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("service"))
    chief = models.ForeignKey(Chief, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("chief"))
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("resource"))
    name = models.CharField(_("name"), max_length=120)
    ratings = models.PositiveIntegerField(_("ratings"))
    total = models.PositiveIntegerField(_("sum of scores"))
    score = models.DecimalField(pgettext_lazy("rating", "score"), max_digits=4, decimal_places=2)

    class Meta:
        verbose_name = _("published score")
        verbose_name_plural = _("published scores")
        ordering = ["target", "-score", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(ratings__gte=1), name="nb_score_has_ratings"),
            models.CheckConstraint(
                condition=Q(target=ScoreTarget.SERVICE, service__isnull=False, chief__isnull=True, resource__isnull=True)
                | Q(target=ScoreTarget.CHIEF, chief__isnull=False, service__isnull=True, resource__isnull=True)
                | Q(target=ScoreTarget.RESOURCE, resource__isnull=False, service__isnull=True, chief__isnull=True),
                name="nb_score_one_target"),
        ]


class ChiefEvaluation(models.Model):
    """年度评议 — a chief's yearly evaluation: residents' scores plus everyday work."""

    chief = models.ForeignKey(Chief, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("chief"))
    year = models.PositiveSmallIntegerField(_("year"))
    ratings = models.PositiveIntegerField(_("ratings"), default=0)
    resident_score = models.DecimalField(_("residents' score"), max_digits=4, decimal_places=2, null=True, blank=True)
    needs_raised = models.PositiveIntegerField(_("needs raised"), default=0)
    services_linked = models.PositiveIntegerField(_("services linked"), default=0)
    cases_reported = models.PositiveIntegerField(_("cases reported"), default=0)
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=1)
    computed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("computed by"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("yearly evaluation")
        verbose_name_plural = _("yearly evaluations of chiefs")
        ordering = ["-year", "-total"]
        constraints = [models.UniqueConstraint(fields=["chief", "year"], name="nb_one_evaluation_per_year")]


class Award(models.Model):
    """表彰 — an outstanding chief or resource of the year (最美楼栋长、单元长 …) and the reward."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=50)
    target = models.CharField(_("awarded"), max_length=16, choices=AwardTarget.choices)
    chief = models.ForeignKey(Chief, on_delete=models.PROTECT, null=True, blank=True, related_name="awards",
                              verbose_name=_("chief"))
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, null=True, blank=True, related_name="awards",
                                 verbose_name=_("resource"))
    reward = models.CharField(_("reward"), max_length=200)
    awarded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("awarded by"))
    awarded_at = models.DateTimeField(_("awarded at"), default=timezone.now)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards (表彰)")
        ordering = ["-year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target=AwardTarget.CHIEF, chief__isnull=False, resource__isnull=True)
                | Q(target=AwardTarget.RESOURCE, resource__isnull=False, chief__isnull=True),
                name="nb_award_one_target"),
            models.UniqueConstraint(fields=["year", "title", "chief"], condition=Q(chief__isnull=False),
                                    name="nb_award_chief_once"),
            models.UniqueConstraint(fields=["year", "title", "resource"], condition=Q(resource__isnull=False),
                                    name="nb_award_resource_once"),
        ]
