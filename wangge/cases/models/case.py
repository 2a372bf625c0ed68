import re
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import (
    OPEN_STATUSES,
    STAGE_OF_STATUS,
    AssignmentRole,
    CaseLevel,
    CaseStatus,
    ExtensionStatus,
    HandlingType,
    Light,
    Satisfaction,
    Stage,
    StarLevel,
)

# A case number (编号): WG + local date + a five-digit sequence of that day (actions.numbering).
CASE_NUMBER_RE = re.compile(r"^WG\d{8}-\d{5}$")


def looks_like_case_number(text: str) -> bool:
    return bool(CASE_NUMBER_RE.match(text or ""))


def new_tracking_token() -> str:
    return secrets.token_urlsafe(16)


class Case(models.Model):
    """事件 / 诉求 / 工单 — one problem raised by a resident or found by a grid worker.

    Its state changes only through ``wangge.cases.actions``; never ``save()`` a case elsewhere.
    """

    number = models.CharField(_("number"), max_length=20, unique=True)
    # A registered channel (``cases.channels``); not a closed choice list, so an app can add one.
    channel = models.CharField(_("channel"), max_length=16)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    # The foreign keys that lead a composite index below get no index of their own: every filing
    # writes each index of this table, and the composite one answers the key alone as well.
    category = models.ForeignKey(
        "cases.Category", on_delete=models.PROTECT, null=True, blank=True, db_index=False,
        verbose_name=_("category"),
    )
    star = models.PositiveSmallIntegerField(_("star level"), choices=StarLevel.choices, default=StarLevel.ONE)
    handling_type = models.CharField(
        _("handling type"), max_length=16, choices=HandlingType.choices, default=HandlingType.GENERAL
    )
    current_level = models.CharField(
        _("level"), max_length=16, choices=CaseLevel.choices, default=CaseLevel.SUBDISTRICT
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )
    # 承办部门: the department of the most recent lead assignment (none when that went to a
    # person, a community or a grid, or before dispatch). Written by the actions with the
    # assignment; kept on the case so per-department figures and lists need no subquery.
    lead_department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        db_index=False, verbose_name=_("lead department"),
    )

    # Where: the finest territory node known at filing, and its ancestors, frozen at filing so
    # that redrawing grids never moves old cases.
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    grid = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False,
        verbose_name=_("grid"),
    )
    community = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False,
        verbose_name=_("community"),
    )
    subdistrict = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False,
        verbose_name=_("sub-district"),
    )
    district = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("district")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)

    # Who: residents' personal data, masked unless the viewer may see it (and then logged).
    reporter_name = models.CharField(_("reporter name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=32, blank=True)  # indexed in Meta
    reporter_anonymous = models.BooleanField(_("anonymous"), default=False)
    # The person behind the report (none for an anonymous one or a case a worker found).
    reporter = models.ForeignKey(
        "residents.Resident", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases",
        verbose_name=_("reporter"),
    )
    # Idempotent intake: where the report came from and its id there (a WeChat MsgId, a 12345
    # order number, an Open311 token, an API Idempotency-Key). A retry finds the case filed.
    source = models.CharField(_("source"), max_length=32, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    # Filed under an API Idempotency-Key: the digest of the report the key came with
    # (``actions.intake``), so the same key with another report is refused, not replayed.
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # 来源时限: the deadline the channel that sent the case set (a 12345 work order's 办理时限).
    # The case is never due later than it, whatever its category's policy says.
    source_due_at = models.DateTimeField(_("deadline set by the source"), null=True, blank=True)
    tracking_token = models.CharField(max_length=32, default=new_tracking_token)  # unique in Meta
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by"),
    )

    # Deadlines (see cases.sla): one per stage, the light, and when the sweep must look again.
    sla_policy = models.ForeignKey(
        "cases.SlaPolicy", on_delete=models.PROTECT, verbose_name=_("deadline policy")
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    clock_started_at = models.DateTimeField(_("clock started at"))
    accept_due_at = models.DateTimeField(_("accept by"))
    dispatch_due_at = models.DateTimeField(_("dispatch by"))
    resolve_due_at = models.DateTimeField(_("resolve by"))
    deadline_provisional = models.BooleanField(
        _("provisional deadline"),
        default=False,
        help_text=_("Set by the Monday–Friday rule: the working-day calendar for that year is not loaded yet."),
    )
    light = models.CharField(_("light"), max_length=8, choices=Light.choices, default=Light.GREEN)
    next_check_at = models.DateTimeField(null=True, blank=True)
    breached_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_from = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)

    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Resolved within its resolve deadline (set on resolution; drives the on-time rate).
    resolved_on_time = models.BooleanField(null=True, blank=True)
    result = models.TextField(_("result"), blank=True)

    # 回访 (三看) and the resident's rating.
    revisited_at = models.DateTimeField(_("revisited at"), null=True, blank=True)
    revisit_lawful = models.BooleanField(_("handled according to law"), null=True, blank=True)
    revisit_in_place = models.BooleanField(_("measures really in place"), null=True, blank=True)
    revisit_accepted = models.BooleanField(_("resident understands and accepts"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    escalation_count = models.PositiveSmallIntegerField(_("times escalated"), default=0)
    urge_count = models.PositiveSmallIntegerField(_("times urged"), default=0)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates",
        verbose_name=_("merged into"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-submitted_at", "-pk"]
        permissions = [("view_reporter", _("Can see residents' unmasked name and phone"))]
        indexes = [
            # The sweep reads only what is due: cost grows with due cases, not open ones.
            models.Index(fields=["next_check_at"], name="case_next_check",
                         condition=models.Q(next_check_at__isnull=False)),
            models.Index(fields=["status", "light"]),
            models.Index(fields=["grid", "status"]),
            models.Index(fields=["community", "status"]),
            models.Index(fields=["subdistrict", "status"]),
            models.Index(fields=["category", "submitted_at"]),
            # Lists of one territory, newest first (a sub-district's: the district leader's
            # list filtered to one of its sub-districts).
            models.Index(fields=["grid", "submitted_at"]),
            models.Index(fields=["community", "submitted_at"]),
            models.Index(fields=["subdistrict", "submitted_at"]),
            # The dashboard's rollup refresh finds what changed since its last run.
            models.Index(fields=["updated_at"]),
            # Equality only: a plain btree (a field's db_index would add a LIKE-pattern twin).
            models.Index(fields=["reporter_phone"], name="case_reporter_phone"),
            # A department's open red cases with the jurisdiction's columns: a leader's count of one
            # department's 督办 reads them here (its officers' reads case_held_by_department).
            models.Index(fields=["lead_department", "id", "district", "subdistrict", "community", "grid", "created_by"],
                         name="case_red_open_by_department",
                         condition=models.Q(light="red", status__in=OPEN_STATUSES)),
            # The 督办 list (open, red) newest first, as the case list orders: a page reads its
            # own rows, however many cases are overdue; only those rows, so cheap to keep.
            models.Index(fields=["submitted_at", "id"], name="case_overdue_by_filing",
                         condition=models.Q(light="red", status__in=OPEN_STATUSES)),
            # The cases a department leads now (its desk, its queue: selectors.led_by_departments):
            # only the held ones, so a filing writes nothing to it. On PostgreSQL it carries what
            # the desk counts and sorts by and the jurisdiction's columns, so a list's page of ids
            # and a count are read from it alone.
            models.Index(fields=["lead_department", "status"], name="case_held_by_department",
                         condition=models.Q(status__in=["dispatched", "in_progress", "suspended"]),
                         include=["id", "light", "accept_due_at", "dispatch_due_at", "resolve_due_at",
                                  "reopen_count", "district", "subdistrict", "community", "grid", "created_by"]),
        ]
        constraints = [
            # One case per report however often a channel retries (safe under concurrency).
            models.UniqueConstraint(fields=["tracking_token"], name="case_unique_tracking_token"),
            models.UniqueConstraint(fields=["source", "external_id"], name="case_unique_external_id",
                                    condition=~models.Q(external_id="")),
            models.CheckConstraint(
                condition=models.Q(star__gte=1, star__lte=3), name="case_star_1_to_3"
            ),
            models.CheckConstraint(
                condition=(models.Q(status=CaseStatus.CLOSED) & models.Q(closed_at__isnull=False))
                | (~models.Q(status=CaseStatus.CLOSED) & models.Q(closed_at__isnull=True)),
                name="case_closed_at_iff_closed",
            ),
            models.CheckConstraint(
                condition=(models.Q(status=CaseStatus.MERGED) & models.Q(merged_into__isnull=False))
                | (~models.Q(status=CaseStatus.MERGED) & models.Q(merged_into__isnull=True)),
                name="case_merged_into_iff_merged",
            ),
            models.CheckConstraint(
                condition=(models.Q(status=CaseStatus.SUSPENDED) & models.Q(suspended_at__isnull=False))
                | (~models.Q(status=CaseStatus.SUSPENDED) & models.Q(suspended_at__isnull=True)),
                name="case_suspended_at_iff_suspended",
            ),
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("pk")), name="case_not_merged_into_itself"
            ),
        ]

    def get_channel_display(self) -> str:
        from ..channels import channels

        return channels.label(self.channel)

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        """The case's page in the staff workbench (where its notifications lead)."""
        from django.urls import reverse

        return reverse("web:case_detail", kwargs={"number": self.number})

    @property
    def answer_rated(self) -> bool:
        """The current answer has been rated (once per resolution: a reopened case is rated anew)."""
        return bool(self.rated_at and self.resolved_at and self.rated_at >= self.resolved_at)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def current_stage(self) -> str | None:
        """The stage whose deadline the case is running against now."""
        return STAGE_OF_STATUS.get(self.status)

    @property
    def current_due_at(self):
        stage = self.current_stage
        return getattr(self, f"{stage}_due_at") if stage else None

    @property
    def reporter_phone_last4(self) -> str:
        digits = "".join(ch for ch in self.reporter_phone if ch.isdigit())
        return digits[-4:]

    def lead_assignment(self) -> "CaseAssignment | None":
        return self.assignments.filter(active=True, role=AssignmentRole.LEAD).first()


class CaseAssignment(models.Model):
    """承办 — who a case is dispatched to: a department, a person, or a level of the territory
    (a community or grid). Joint handling (吹哨报到): one lead and any number of co-handlers,
    each of whom reports in (报到)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("role"), max_length=8, choices=AssignmentRole.choices)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="assignments"
    )
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="case_assignments"
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    active = models.BooleanField(default=True)
    assigned_at = models.DateTimeField(default=timezone.now)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_in_at = models.DateTimeField(_("reported in at"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["assigned_at", "pk"]
        indexes = [
            models.Index(fields=["department", "active"]),
            models.Index(fields=["user", "active"]),
            # A department's co-handling (协办) now: its desk and queue. Its active leads are far
            # more (closing keeps them), and read from the case's columns instead.
            models.Index(fields=["department", "case"], name="assignment_active_cohandling",
                         condition=models.Q(active=True) & ~models.Q(role="lead")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(department__isnull=False, region__isnull=True, user__isnull=True)
                    | models.Q(department__isnull=True, region__isnull=False, user__isnull=True)
                    | models.Q(department__isnull=True, region__isnull=True, user__isnull=False)
                ),
                name="assignment_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(active=True, role="lead"),
                name="one_active_lead_per_case",
            ),
        ]

    @property
    def target(self):
        return self.department or self.region or self.user

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.target}"


class CaseNumberSequence(models.Model):
    """The last case number handed out on a day (Asia/Shanghai); rows are locked while numbering."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)


class ExtensionRequest(models.Model):
    """延期申请 — a request to move the resolve deadline by some working days."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extension_requests")
    working_days = models.PositiveSmallIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="pending"), name="one_pending_extension_per_case"
            ),
            models.CheckConstraint(
                condition=models.Q(working_days__gte=1, working_days__lte=30),
                name="extension_1_to_30_days",
            ),
        ]


class ReporterAccessLog(models.Model):
    """Every time a staff member sees — or asks to see and is refused — a resident's unmasked name
    and phone, or finds a case by the caller's phone (who, when, which case, how)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reporter_access_log")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accessed_at = models.DateTimeField(default=timezone.now, db_index=True)
    channel = models.CharField(max_length=16, default="web")  # web / api / caller (来电历史)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    granted = models.BooleanField(_("granted"), default=True)
    # The posts the viewer held at the time (``residents.selectors.posts_of``); None on rows
    # logged before this was recorded.
    viewer_posts = models.JSONField(_("viewer's posts then"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("reporter data access")
        verbose_name_plural = _("reporter data access log")
        ordering = ["-accessed_at"]
