"""网格长工作日记 — a worker's day: compiled from the registered sources, plus free notes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import DayStatus, NoteSection


class DiaryDay(models.Model):
    """工作日记（一天）— one worker's diary of one local (Asia/Shanghai) day.

    While open, its lines are compiled live from the sources; when closed (the periodic job, at
    the end of the day) they are frozen into ``lines``, and the day is no longer edited: later
    corrections are dated notes (``DiaryNote.is_correction``). The grid chief signs a closed day.
    """

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="diary_days",
                               verbose_name=_("grid worker"))
    day = models.DateField(_("day"))
    grid = models.ForeignKey("org.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("grid"))
    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("community"))
    status = models.CharField(_("status"), max_length=16, choices=DayStatus.choices, default=DayStatus.OPEN)
    weather = models.CharField(_("weather"), max_length=40, blank=True)
    lines = models.JSONField(_("lines (frozen at closing)"), default=list, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("diary day", "closed"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("signed off by"))
    signed_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    sign_note = models.CharField(_("sign-off remark"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("diary day")
        verbose_name_plural = _("diary days")
        ordering = ["-day", "worker_id"]
        indexes = [models.Index(fields=["grid", "day"]), models.Index(fields=["status", "day"])]
        constraints = [
            models.UniqueConstraint(fields=["worker", "day"], name="diary_one_day_per_worker"),
            models.CheckConstraint(condition=Q(status=DayStatus.OPEN, closed_at__isnull=True)
                                   | (~Q(status=DayStatus.OPEN) & Q(closed_at__isnull=False)),
                                   name="diary_closed_at_exactly_when_closed"),
            models.CheckConstraint(condition=Q(status=DayStatus.SIGNED, signed_by__isnull=False,
                                               signed_at__isnull=False)
                                   | (~Q(status=DayStatus.SIGNED) & Q(signed_by__isnull=True, signed_at__isnull=True)),
                                   name="diary_signed_exactly_when_signed"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.day:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status == DayStatus.OPEN

    def get_absolute_url(self) -> str:
        return reverse("diary:day", args=[self.worker_id, self.day.isoformat()])


class DiaryNote(models.Model):
    """日记备注 — a free note on a day, in a column of the paper diary. A note written after the day
    closed is a correction (更正), dated when written; notes are never edited or deleted."""

    diary_day = models.ForeignKey(DiaryDay, on_delete=models.PROTECT, related_name="notes",
                                  verbose_name=_("diary day"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"))
    section = models.CharField(_("column"), max_length=16, choices=NoteSection.choices, default=NoteSection.WORK)
    text = models.TextField(_("text"))
    is_correction = models.BooleanField(_("correction"), default=False)
    written_at = models.DateTimeField(_("written at"), db_index=True)

    class Meta:
        verbose_name = _("diary note")
        verbose_name_plural = _("diary notes")
        ordering = ["written_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="diary_note_not_empty")]

    def __str__(self) -> str:
        return self.text[:40]
