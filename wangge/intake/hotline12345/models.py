"""Rows of the 12345 import: the sources (with their column mapping), the jobs, each row's outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ImportMode, JobStatus, Outcome


class ImportSource(models.Model):
    """导入来源 — one hotline hand-over as a sub-district receives it, with its column mapping
    (``mapping``: field → the column heading in the hotline's file, see ``choices.Field``)."""

    name = models.CharField(_("name"), max_length=100)
    subdistrict = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("sub-district"))
    mapping = models.JSONField(_("column mapping"), default=dict)
    header_row = models.PositiveSmallIntegerField(_("heading row"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("12345 import source")
        verbose_name_plural = _("12345 import sources")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "name"], name="intake12345_source_name_unique"),
            models.CheckConstraint(condition=models.Q(header_row__gte=1), name="intake12345_header_row_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """导入任务 — one uploaded file: checked, then imported in the background with its progress."""

    source = models.ForeignKey(ImportSource, on_delete=models.PROTECT, related_name="jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    filename = models.CharField(_("file"), max_length=200)
    # The file itself, in the database: any worker on any machine can read it, a restart loses nothing.
    content = models.BinaryField()
    encoding = models.CharField(max_length=20, blank=True)  # a CSV's detected encoding
    mapping = models.JSONField(default=dict)  # the source's mapping when the file was checked
    header_row = models.PositiveSmallIntegerField(default=1)

    status = models.CharField(_("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.VALIDATING)
    mode = models.CharField(_("mode"), max_length=8, choices=ImportMode.choices, blank=True)
    failure = models.TextField(blank=True)  # why the whole file or job failed (a sentence for the user)

    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    invalid_rows = models.PositiveIntegerField(default=0)
    checked_rows = models.PositiveIntegerField(default=0)  # progress of the check
    known_rows = models.PositiveIntegerField(default=0)  # valid rows whose order is already filed (at the check)
    headers = models.JSONField(default=list)
    preview = models.JSONField(default=list)  # the first rows as they will be filed
    errors = models.JSONField(default=list)  # [{line, field, column, code, value}], the first MAX_ERRORS
    error_count = models.PositiveIntegerField(default=0)

    processed_rows = models.PositiveIntegerField(default=0)  # progress of the import; the resume point
    filed_count = models.PositiveIntegerField(default=0)
    existing_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("12345 import")
        verbose_name_plural = _("12345 imports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(processed_rows__lte=models.F("total_rows")),
                                   name="intake12345_progress_within_total"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in (JobStatus.VALIDATING, JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if self.status == JobStatus.VALIDATING:
            return 0 if not self.total_rows else min(100, self.checked_rows * 100 // self.total_rows)
        return 0 if not self.total_rows else min(100, self.processed_rows * 100 // self.total_rows)


class ImportLine(models.Model):
    """One row of an imported file and what became of it (the result report, the reply upward)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="lines")
    line = models.PositiveIntegerField()
    order_number = models.CharField(max_length=100, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField(blank=True)
    hotline_deadline = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "line"]
        constraints = [models.UniqueConstraint(fields=["job", "line"], name="intake12345_line_once_per_job")]
        indexes = [models.Index(fields=["case"], name="intake12345_line_case")]
