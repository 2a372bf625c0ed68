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

    class Meta:
        verbose_name = _("resident data access")
        verbose_name_plural = _("resident data access log")
        ordering = ["-accessed_at"]
