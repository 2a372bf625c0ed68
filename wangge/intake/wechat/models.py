"""微信公众号 — the official accounts residents report to, and what the conversation with each
sender keeps between messages."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import ConversationState, Datum, EncryptionMode, PhotoStatus


class WechatAccount(models.Model):
    """公众号 — one official account (one per community, as in 天平街道), with the token and the
    key its callback is configured with. Its ``slug`` names its callback URL: /wechat/<slug>/."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    app_id = models.CharField(_("AppID"), max_length=32, unique=True)
    app_secret = models.CharField(_("AppSecret"), max_length=64, blank=True)
    token = models.CharField(_("token"), max_length=32)
    encoding_aes_key = models.CharField(_("EncodingAESKey"), max_length=43, blank=True)
    mode = models.CharField(_("encryption mode"), max_length=16, choices=EncryptionMode.choices,
                            default=EncryptionMode.SAFE)
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("community served"))
    # Our message template key → the template id the account's console gave it (模板消息).
    template_ids = models.JSONField(_("template ids"), default=dict, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("WeChat official account")
        verbose_name_plural = _("WeChat official accounts")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(mode=EncryptionMode.PLAINTEXT) | Q(encoding_aes_key__regex=r"^.{43}$"),
                                   name="wechat_account_key_for_aes"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def source(self) -> str:
        """The case ``source`` of reports through this account."""
        return f"wechat:{self.app_id}"


class WechatNonce(models.Model):
    """A nonce seen on a signed callback: a second request with the same nonce and a different
    body is a replay and refused. (WeChat's own retry carries the same body and passes.)"""

    account = models.ForeignKey(WechatAccount, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    body_digest = models.CharField(max_length=64)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "nonce"], name="wechat_nonce_unique")]


class WechatConversation(models.Model):
    """对话 — what one sender (OpenID) of one account has told us of the report being made."""

    account = models.ForeignKey(WechatAccount, on_delete=models.CASCADE, related_name="conversations")
    openid = models.CharField(_("OpenID"), max_length=64)
    resident = models.ForeignKey("residents.Resident", on_delete=models.SET_NULL, null=True, related_name="+")
    state = models.CharField(_("state"), max_length=16, choices=ConversationState.choices,
                             default=ConversationState.IDLE)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # The point as the sender gave it, its datum, and the same point in WGS-84 (the grids' datum).
    given_longitude = models.FloatField(null=True, blank=True)
    given_latitude = models.FloatField(null=True, blank=True)
    given_datum = models.CharField(max_length=8, choices=Datum.choices, blank=True)
    longitude = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    latitude = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    # The message that completed the report: its key is the case's external id.
    filing_key = models.CharField(max_length=100, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("WeChat conversation")
        verbose_name_plural = _("WeChat conversations")
        constraints = [
            models.UniqueConstraint(fields=["account", "openid"], name="wechat_conversation_unique"),
            models.CheckConstraint(condition=Q(longitude__isnull=True, latitude__isnull=True)
                                   | Q(longitude__isnull=False, latitude__isnull=False),
                                   name="wechat_conversation_point_whole"),
        ]

    def __str__(self) -> str:
        return f"{self.account.app_id}:{self.openid[:6]}…"

    @property
    def has_place(self) -> bool:
        return self.longitude is not None or bool(self.address)


class WechatMessage(models.Model):
    """收到的消息 — one message or event, once: ``key`` is its MsgId (events: sender, CreateTime
    and event). A retry of the same message finds its row and is given the same answer."""

    account = models.ForeignKey(WechatAccount, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    openid = models.CharField(max_length=64)
    msg_type = models.CharField(max_length=32)
    received_at = models.DateTimeField()
    reply = models.TextField(blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="wechat_message_unique")]


class WechatPhoto(models.Model):
    """A photo sent in the conversation, downloaded in the background, attached when it files."""

    conversation = models.ForeignKey(WechatConversation, on_delete=models.CASCADE, related_name="photos")
    media_id = models.CharField(max_length=128)
    pic_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=PhotoStatus.choices, default=PhotoStatus.PENDING)
    file = models.FileField(upload_to="wechat/%Y/%m/", blank=True)
    error = models.CharField(max_length=300, blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
