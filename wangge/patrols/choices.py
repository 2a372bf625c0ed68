"""The patrols app's choices, each beside its badge colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    """巡查频次 — how often a point must be visited (S0: 日必访 / 周必访 / 月必访)."""

    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class PointClass(models.TextChoices):
    """点位类别 — the kinds of place the Taoyuan patrol system names (S0)."""

    SMALL_SHOP = "small_shop", _("Small shop or restaurant (五小)")
    MAIN_ROAD = "main_road", _("Main road")
    BACK_ALLEY = "back_alley", _("Back alley")
    BANK = "bank", _("Bank branch")
    BUILDING_SITE = "building_site", _("Building site")
    MARKET = "market", _("Market")
    CLINIC = "clinic", _("Clinic")
    SCHOOL = "school", _("School")
    OTHER = "other", _("Other")


# S0's defaults; the office edits them per class (PointClassDefault rows win over these).
DEFAULT_FREQUENCY = {
    PointClass.SMALL_SHOP: Frequency.DAILY,
    PointClass.MAIN_ROAD: Frequency.DAILY,
    PointClass.BACK_ALLEY: Frequency.DAILY,
    PointClass.BANK: Frequency.WEEKLY,
    PointClass.BUILDING_SITE: Frequency.WEEKLY,
    PointClass.MARKET: Frequency.WEEKLY,
    PointClass.CLINIC: Frequency.MONTHLY,
    PointClass.SCHOOL: Frequency.MONTHLY,
    PointClass.OTHER: Frequency.WEEKLY,
}


class SlotStatus(models.TextChoices):
    """巡查任务状态. ``missed`` is set by the periodic job when a window closes without a
    check-in; the figures do not wait for it (they count closed windows with no check-in)."""

    OPEN = "open", _("Due")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


SLOT_COLOURS = {SlotStatus.OPEN: "blue", SlotStatus.DONE: "green", SlotStatus.MISSED: "red",
                SlotStatus.CANCELLED: "grey"}


class Presence(models.TextChoices):
    """How presence at the point was shown: the phone's position, or (fallback) the plate's QR."""

    GPS = "gps", _("GPS position")
    QR = "qr", _("QR plate scan")


class FindingClass(models.TextChoices):
    """处置类别 (S1): what happens to a problem found on patrol."""

    GENERAL = "general", _("General — handled on the spot")
    COORDINATION = "coordination", _("Coordination — taken back to the community")
    EMERGENCY = "emergency", _("Emergency — reported at once")
    APPROVAL = "approval", _("Approval — the community decides")


FINDING_COLOURS = {FindingClass.GENERAL: "green", FindingClass.COORDINATION: "blue",
                   FindingClass.EMERGENCY: "red", FindingClass.APPROVAL: "amber"}
