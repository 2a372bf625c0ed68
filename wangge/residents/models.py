"""居民 — residents as people: who reported, who rates, who earns credit, who is visited.

A resident is known by a verified phone number and/or one WeChat OpenID per official account;
both identities point to the same person. Personal data is masked wherever it is shown and every
full view is logged (``ResidentAccessLog``). Below ``cases`` in the import order: a case links
to its reporter resident, not the other way round.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import DataRequestKind, DataRequestStatus


class Household(models.Model):
    """户 — a household at a unit (or building) of the territory tree."""

    unit = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    room = models.CharField(_("room"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return f"{self.unit or ''} {self.room}".strip() or f"#{self.pk}"


class Resident(models.Model):
    """居民 — one person who deals with the office. ``phone`` holds digits only (normalised)."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    phone_verified_at = models.DateTimeField(_("phone verified at"), null=True, blank=True)
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="members",
        verbose_name=_("household"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # The newest report, login or other dealing with the office: the retention clock starts here
    # (``anonymise_residents`` erases those not seen for years).
    last_seen_at = models.DateTimeField(_("last seen at"), default=timezone.now, db_index=True)
    # PIPL: set when the personal data was erased; the row stays so cases' figures stay whole.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    anonymised_reason = models.CharField(_("reason for anonymisation"), max_length=200, blank=True)
    anonymised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("anonymised by"),
    )
    # Set when this row turned out to be the same person as another one (an OpenID user proved a
    # phone that already had a resident): the row stays, emptied, as a pointer to the one kept.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("merged into"),
    )

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        permissions = [("anonymise_resident", _("Can anonymise residents (erase their personal data)"))]
        constraints = [
            models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""), name="resident_unique_phone"),
            # A verified phone is a phone.
            models.CheckConstraint(
                condition=Q(phone_verified_at__isnull=True) | ~Q(phone=""), name="resident_verified_has_phone"
            ),
            # Erased and merged rows hold no personal data.
            models.CheckConstraint(
                condition=Q(anonymised_at__isnull=True) | Q(name="", phone=""), name="resident_anonymised_is_empty"
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(name="", phone=""), name="resident_merged_is_empty"
            ),
        ]

    def __str__(self) -> str:
        from .masking import mask_name, mask_phone

        return mask_name(self.name) or mask_phone(self.phone) or _("Resident #%(id)s") % {"id": self.pk}


class WechatIdentity(models.Model):
    """A WeChat OpenID of a resident — one per official account (each community may run its own)."""

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="wechat_ids", verbose_name=_("resident")
    )
    app_id = models.CharField(_("official account"), max_length=64)
    openid = models.CharField(_("OpenID"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("WeChat identity")
        verbose_name_plural = _("WeChat identities")
        constraints = [models.UniqueConstraint(fields=["app_id", "openid"], name="wechat_identity_unique")]

    def __str__(self) -> str:
        return f"{self.app_id}:{self.openid[:6]}…"


class ResidentAccessLog(models.Model):
    """Every full view of a resident's personal data — and every refused attempt (PIPL art. 51)."""

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="access_log", verbose_name=_("resident")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member")
    )
    accessed_at = models.DateTimeField(_("accessed at"), default=timezone.now, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=64, blank=True)
    granted = models.BooleanField(_("granted"), default=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # The posts the viewer held when they looked, [[role, department or place], …] (the resident
    # is told of the view by post: ``selectors.staff_views_of``); None on views logged before
    # this was recorded, which fall back to the posts the viewer holds today.
    viewer_posts = models.JSONField(_("viewer's posts then"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("resident data access")
        verbose_name_plural = _("resident data access log")
        ordering = ["-accessed_at"]


class VerificationCode(models.Model):
    """短信验证码 — a one-time code sent to a resident's phone to open 我的个人信息. Only a keyed
    hash of the code is kept; it expires, and a few wrong tries use it up.

    A number that only anonymous reports were made from has no resident: its code names the
    number itself (``phone``), never both. Such rows are deleted once a day old (when the next code
    is sent) and when the number is erased: they hold the number and serve nothing by then."""

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("resident")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    code_hash = models.CharField(_("code hash"), max_length=96)  # "salt$hmac"
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [
            models.Index(fields=["resident", "created_at"], name="residents_code_by_resident"),
            models.Index(fields=["phone"], condition=~Q(phone=""), name="residents_code_by_phone"),
        ]
        constraints = [
            # A code opens a resident's page or a bare number's, never both.
            models.CheckConstraint(condition=Q(resident__isnull=True) | Q(phone=""), name="verification_code_one_owner"),
        ]


class SelfAccessLog(models.Model):
    """本人查阅 — a resident opened their own personal data on the portal after proving their phone
    by a text-message code (PIPL art. 45). Beside ``ResidentAccessLog``, which records staff."""

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="self_access_log", verbose_name=_("resident")
    )
    accessed_at = models.DateTimeField(_("accessed at"), default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("resident's own view of their data")
        verbose_name_plural = _("residents' own views of their data")
        ordering = ["-accessed_at"]


class PersonalDataRequest(models.Model):
    """个人信息权利请求 — a resident asks to correct (更正/补充) or delete (删除) their personal data
    (PIPL art. 46, 47). Staff answer it in the admin; the resident is told the outcome by SMS.
    One pending request of each kind per resident: the database refuses a second."""

    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="data_requests", verbose_name=_("resident")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DataRequestKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=DataRequestStatus.choices,
                              default=DataRequestStatus.PENDING, db_index=True)
    # 更正: what is wrong and what it should be; 删除: the reason. Blanked when the resident's data
    # is erased (it may hold their data).
    details = models.TextField(_("details"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("handled by"),
    )
    reply = models.TextField(_("reply to the resident"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("personal data request")
        verbose_name_plural = _("personal data requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "kind"], condition=Q(status="pending"),
                                    name="one_pending_data_request_per_kind"),
            # handled_at set exactly when the request was answered.
            models.CheckConstraint(
                condition=(Q(status="pending", handled_at__isnull=True)
                           | (~Q(status="pending") & Q(handled_at__isnull=False))),
                name="data_request_handled_when_answered",
            ),
        ]

    def __str__(self) -> str:
        return f"SQ{self.pk:06d} {self.get_kind_display()}"
