"""The closed lists of the credit ledger (信用积分), with their badge colours beside them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    """Whose account: one resident, or one household (户)."""

    RESIDENT = "resident", _("Resident")
    HOUSEHOLD = "household", _("Household")


class EntryKind(models.TextChoices):
    """What one ledger entry did to the balance."""

    EARN = "earn", _("Earned")
    SPEND = "spend", _("Spent")
    EXPIRE = "expire", _("Expired")
    CORRECT = "correct", _("Correction")


ENTRY_COLOURS = {
    EntryKind.EARN: "green",
    EntryKind.SPEND: "blue",
    EntryKind.EXPIRE: "grey",
    EntryKind.CORRECT: "amber",
}


class Awarder(models.TextChoices):
    """Who may award a rule's credit."""

    CHIEF = "chief", _("Chiefs and grid workers (and community staff)")
    COMMUNITY = "community", _("Community staff")
    SYSTEM = "system", _("Automatic only (on a domain event)")


class RuleUnit(models.TextChoices):
    """How a rule's points are counted: once per award, or per hour (volunteering)."""

    FIXED = "fixed", _("Per award")
    PER_HOUR = "per_hour", _("Per hour")


class RedemptionVia(models.TextChoices):
    """Where an item was redeemed (兑换)."""

    COUNTER = "counter", _("At the counter")
    MERCHANT = "merchant", _("By a merchant, with the resident's code")


class DisputeStatus(models.TextChoices):
    """Where a resident's objection (申诉) to an entry stands."""

    OPEN = "open", _("Awaiting the community")
    CORRECTED = "corrected", _("Corrected")
    ANSWERED = "answered", _("Answered")


DISPUTE_COLOURS = {
    DisputeStatus.OPEN: "amber",
    DisputeStatus.CORRECTED: "green",
    DisputeStatus.ANSWERED: "blue",
}
