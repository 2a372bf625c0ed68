import os

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The longest stored file name, in bytes: file systems allow 255 bytes (not characters: a
# Chinese character is 3), and the storage may add "_abc1234" to make a name unique.
STORED_NAME_MAX_BYTES = 120


def stored_name(filename: str) -> str:
    """The uploaded file's name as stored: its extension kept, the rest cut to fit in
    ``STORED_NAME_MAX_BYTES`` (never inside a character). The full name stays in ``original_name``."""
    stem, ext = os.path.splitext(os.path.basename(filename or ""))
    if len(ext.encode()) > 16:  # not an extension, only a dot in a long name
        stem, ext = stem + ext, ""
    stem = stem.encode()[: STORED_NAME_MAX_BYTES - len(ext.encode())].decode("utf-8", "ignore")
    return (stem or "file") + ext


def attachment_path(instance: "CaseAttachment", filename: str) -> str:
    return f"cases/{instance.case.submitted_at:%Y/%m}/{instance.case.number}/{stored_name(filename)}"


class CaseAttachment(models.Model):
    """A photo, voice message or document on a case (checked for type and size on upload)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        "cases.CaseEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    def __str__(self) -> str:
        return self.original_name
