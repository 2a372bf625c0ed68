from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import SignInKind


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
