"""Choices of the WeChat channel."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EncryptionMode(models.TextChoices):
    """消息加解密方式 — as set in the official account's console (基本配置 → 服务器配置)."""

    PLAINTEXT = "plaintext", _("Plaintext")
    COMPATIBLE = "compatible", _("Compatible")
    SAFE = "safe", _("Safe (AES)")


class ConversationState(models.TextChoices):
    IDLE = "idle", _("Idle")
    COLLECTING = "collecting", _("Collecting a report")
    FILING = "filing", _("Filing (waiting for photos)")


class PhotoStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for download")
    FETCHED = "fetched", _("Downloaded")
    FAILED = "failed", _("Download failed")
    ATTACHED = "attached", _("Attached to the case")


class Datum(models.TextChoices):
    """The geodetic datum a point was given in (WeChat and Chinese maps: GCJ-02)."""

    WGS84 = "wgs84", _("WGS-84")
    GCJ02 = "gcj02", _("GCJ-02")
