import os
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SavedFilter(models.Model):
    """常用筛选 — a case-list filter a staff member saved under a name."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(_("name"), max_length=60)
    querystring = models.CharField(_("filter"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_filter_unique_name")]

    def __str__(self) -> str:
        return self.name


class ListColumns(models.Model):
    """The case-list columns a staff member chose to see (their own overview, like Zammad's)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_columns")
    columns = models.JSONField(_("columns"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case-list columns")
        verbose_name_plural = _("case-list columns")

    def __str__(self) -> str:
        return ", ".join(self.columns)


def held_upload_path(instance: "HeldUpload", filename: str) -> str:
    """A random name (the clerk's file name, which may name a resident, stays in the row only)."""
    from wangge.cases.models.attachment import stored_name

    return f"held/{secrets.token_urlsafe(12)}{os.path.splitext(stored_name(filename))[1]}"


class HeldUpload(models.Model):
    """暂存附件 — a file attached to a hotline call that is not filed yet: the form came back to ask
    about a likely duplicate (疑似重复), and a browser cannot refill a file input. Kept under the
    form's own key for the clerk who attached it, filed with the case on 仍然登记为新事件 and then
    removed; a call never filed loses them after ``WANGGE_HELD_UPLOAD_HOURS`` (``held_uploads``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    form_key = models.CharField(max_length=64)
    file = models.FileField(_("file"), upload_to=held_upload_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("kept upload")
        verbose_name_plural = _("kept uploads")
        ordering = ["pk"]
        indexes = [models.Index(fields=["user", "form_key"])]

    def __str__(self) -> str:
        return self.original_name
