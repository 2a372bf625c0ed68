from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose holidays and make-up working days an admin has loaded from the State
    Council notice (国务院办公厅关于…部分节假日安排的通知). Years the ``chinesecalendar``
    package knows need no row; a row for such a year still lets admins correct single days."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source (notice title / number)"), max_length=200, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """One day that differs from the Monday–Friday rule: a statutory holiday on a weekday
    (法定节假日) or a make-up working day on a weekend (调休上班). Also used to correct a day the
    package gets wrong."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
