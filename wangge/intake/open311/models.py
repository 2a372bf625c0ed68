"""The Open311 interface's own rows: client apps and their keys, the extra questions a service
asks, and what each filed request carried beyond the case."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import AttributeDatatype


class Open311Client(models.Model):
    """接入应用 — a client app allowed to file reports. Its API key is shown once when issued;
    only its SHA-256 is kept (keys are 256 random bits, so a fast hash is enough)."""

    name = models.CharField(_("name"), max_length=100)
    contact = models.CharField(_("contact"), max_length=200, blank=True,
                               help_text=_("Who runs the app: organisation, person, phone or e-mail."))
    key_prefix = models.CharField(_("key starts with"), max_length=12, blank=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # Where a report that only gives an address (no coordinates) is filed; none: such reports
    # are refused, because an address string cannot be placed in a grid here.
    default_region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("community for address-only reports"),
        help_text=_("Reports with an address but no coordinates are filed here; leave empty to refuse them."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    key_issued_at = models.DateTimeField(_("key issued at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Open311 client app")
        verbose_name_plural = _("Open311 client apps")
        constraints = [
            models.CheckConstraint(condition=models.Q(is_active=False) | models.Q(revoked_at__isnull=True),
                                   name="open311_client_revoked_is_inactive"),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceAttribute(models.Model):
    """服务附加项 — an extra question a category asks Open311 clients (spec: service definition
    attributes), e.g. "which floor" for a lift fault."""

    category = models.ForeignKey("cases.Category", on_delete=models.CASCADE, related_name="open311_attributes",
                                 verbose_name=_("category"))
    code = models.SlugField(_("code"), max_length=60)
    description = models.CharField(_("question"), max_length=200)
    datatype = models.CharField(_("datatype"), max_length=16, choices=AttributeDatatype.choices,
                                default=AttributeDatatype.STRING)
    datatype_description = models.CharField(_("hint"), max_length=200, blank=True)
    required = models.BooleanField(_("required"), default=False)
    # False: shown to the user for information only, no input taken (spec: variable).
    variable = models.BooleanField(_("takes input"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    # For the list datatypes: [{"key": "...", "name": "..."}, …]
    values = models.JSONField(_("choices"), default=list, blank=True,
                              help_text=_('For list datatypes: [{"key": "1", "name": "一楼"}, …]'))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("Open311 service attribute")
        verbose_name_plural = _("Open311 service attributes")
        ordering = ["category", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.code}"

    def value_keys(self) -> list[str]:
        return [str(v.get("key")) for v in self.values or [] if isinstance(v, dict)]


class Open311Request(models.Model):
    """What an Open311 client sent with one report beyond the case's own fields. The case is
    found again by (client, token) — the same pair the case carries as (source, external id)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="open311",
                                verbose_name=_("case"))
    client = models.ForeignKey(Open311Client, on_delete=models.PROTECT, related_name="requests",
                               verbose_name=_("client app"))
    token = models.CharField(_("token"), max_length=64, db_index=True)
    # Recorded, never fetched: the platform has no internet access.
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        constraints = [
            models.UniqueConstraint(fields=["client", "token"], name="open311_request_unique_token"),
        ]

    def __str__(self) -> str:
        return self.token
