from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ExportedList, SignInKind


class SignInRecord(models.Model):
    """登录日志 — one sign-in, sign-out or failed attempt (Cybersecurity Law art. 21).

    Append-only like the timeline (a PostgreSQL trigger refuses UPDATE and DELETE); only
    ``manage.py prune_audit`` deletes the rows older than ``WANGGE_AUDIT_RETENTION_DAYS``.
    The user is referenced without a database constraint, so deleting an account leaves its
    records (and their username) whole instead of taking or rewriting them."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=16, choices=SignInKind.choices)
    # As typed on a failed attempt (it may name no account).
    username = models.CharField(_("username"), max_length=150, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
        related_name="+", verbose_name=_("account"),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("sign-in record")
        verbose_name_plural = _("sign-in records")
        ordering = ["-at", "-pk"]

    @property
    def success(self) -> bool:
        return self.kind != SignInKind.FAILED

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"


class DataExportRecord(models.Model):
    """导出日志 — one export of a list of records to a file: who, when, which list with which
    filters, how many rows, whether the row cap cut it (PIPL art. 51: a file of residents' cases
    leaves the system). Append-only like the sign-in records, and never pruned."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
        related_name="+", verbose_name=_("account"),
    )
    # Kept as written: the record still names the account after it is renamed or deleted.
    username = models.CharField(_("username"), max_length=150, blank=True)
    what = models.CharField(_("list"), max_length=32, choices=ExportedList.choices)
    filters = models.TextField(_("filters"), blank=True)  # the query string, as the list read it
    rows = models.PositiveIntegerField(_("rows exported"), default=0)
    cut = models.BooleanField(_("cut at the row cap"), default=False)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data export log")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.what} {self.rows}"
