from django.db import models
from django.utils.translation import gettext_lazy as _


class PhoneMention(models.Model):
    """号码提及 — a full phone number (mobile, or landline with its area code; digits only) that
    someone typed into a case's texts or timeline: a neighbour's complaint quoting the flat
    upstairs' number, a handler's note "已联系 138 1234 1234". An erasure (PIPL 删除) finds
    through it the cases where the erased number stands in what *other* people wrote, without
    reading every text; the rows of a number go with the erasure. Written by the case actions
    (``cases.mentions``), never by hand."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    digits = models.CharField(_("phone number"), max_length=16)

    class Meta:
        verbose_name = _("phone number mentioned")
        verbose_name_plural = _("phone numbers mentioned")
        constraints = [models.UniqueConstraint(fields=["digits", "case"], name="phone_mention_once_per_case")]
