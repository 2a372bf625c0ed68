"""The choices of key persons, visits, 六到 and 六报 (each with its badge colour)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VisitFrequency(models.TextChoices):
    """走访频次 — how often a tag's persons are visited; the due window of each visit."""

    HALF_MONTHLY = "half_monthly", pgettext_lazy("visit frequency", "Twice a month")
    MONTHLY = "monthly", pgettext_lazy("visit frequency", "Monthly")
    QUARTERLY = "quarterly", pgettext_lazy("visit frequency", "Quarterly")


# Most frequent first: a person with several tags is visited as often as the most demanding one.
FREQUENCY_RANK = {VisitFrequency.HALF_MONTHLY: 0, VisitFrequency.MONTHLY: 1, VisitFrequency.QUARTERLY: 2}


class Mood(models.TextChoices):
    """情绪 — how the person seemed at the visit."""

    STABLE = "stable", _("Stable")
    LOW = "low", _("Low")
    ANXIOUS = "anxious", _("Anxious")
    AGITATED = "agitated", _("Agitated")


MOOD_BADGE = {Mood.STABLE: "green", Mood.LOW: "yellow", Mood.ANXIOUS: "orange", Mood.AGITATED: "red"}


class HelpNeeded(models.TextChoices):
    """What the visit found the person needs."""

    NONE = "none", _("Nothing")
    CASE = "case", _("A problem to handle (opens a case)")
    SERVICE = "service", _("A service need")


class AttendanceKind(models.TextChoices):
    """六到 — the six occasions a grid worker must attend in person."""

    MOOD_SWING = "mood_swing", _("Mood swings")
    VOLUNTEER = "volunteer", _("Volunteer activity")
    ILLNESS = "illness", _("Serious illness")
    EMERGENCY = "emergency", pgettext_lazy("must attend", "Emergency")
    DISPUTE = "dispute", _("Dispute")
    MUTUAL_AID = "mutual_aid", _("Mutual aid")


class QuickReportKind(models.TextChoices):
    """六报 — the six things a grid worker must report at once."""

    DAMAGE = "damage", _("Damaged public facilities")
    DIRT = "dirt", _("Unclean environment")
    PREGNANCY = "pregnancy", _("New pregnancy")
    INCOMING = "incoming", _("Incoming population")
    HAZARD = "hazard", _("Safety hazard")
    INSTABILITY = "instability", _("Instability factor")


# What becomes a case (channel patrol); what is an information report routed to an office; what
# goes to the sub-district leaders at once.
CASE_REPORTS = frozenset({QuickReportKind.DAMAGE, QuickReportKind.DIRT, QuickReportKind.HAZARD})
INFO_REPORTS = frozenset({QuickReportKind.PREGNANCY, QuickReportKind.INCOMING})
URGENT_REPORTS = frozenset({QuickReportKind.INSTABILITY})

QUICK_REPORT_BADGE = {
    QuickReportKind.DAMAGE: "orange", QuickReportKind.DIRT: "yellow", QuickReportKind.PREGNANCY: "blue",
    QuickReportKind.INCOMING: "blue", QuickReportKind.HAZARD: "red", QuickReportKind.INSTABILITY: "red",
}


class AccessKind(models.TextChoices):
    REVEAL = "reveal", _("Full view")
    EXPORT = "export", _("Export")
