"""Choices of the neighbourhood app (三长 · 三问 · 三联 · 三评), each with its badge colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.org.choices import RegionLevel


class ChiefKind(models.TextChoices):
    """三长 — the three chiefs, each attached to one level of the territory tree."""

    GRID = "grid", _("Grid chief")
    BUILDING = "building", _("Building chief")
    UNIT = "unit", _("Unit chief")


# The level of the territory tree each kind of chief is attached to.
CHIEF_LEVEL = {ChiefKind.GRID: RegionLevel.GRID, ChiefKind.BUILDING: RegionLevel.BUILDING,
               ChiefKind.UNIT: RegionLevel.UNIT}


class SelectionMethod(models.TextChoices):
    """How a chief was chosen (S4: 个人自荐、党员群众联名举荐、组织推荐)."""

    SELF = "self", _("Self-nomination")
    JOINT = "joint", _("Joint nomination by party members and residents")
    ORGANISATION = "organisation", _("Organisation recommendation")


class CompoundType(models.TextChoices):
    """小区类型 — S4's four kinds of compound."""

    OLD_UNMANAGED = "old_unmanaged", _("Old compound without property management")
    MANAGED = "managed", _("Managed compound")
    WORK_UNIT = "work_unit", _("Work-unit compound")
    SELF_GOVERNING = "self_governing", _("Self-governing compound")


class NeedSource(models.TextChoices):
    """三问 — how a need was raised."""

    DOOR = "door", _("Door-to-door")
    ONLINE = "online", _("Online")
    CONSULTATION = "consultation", _("Consultation")


class NeedScope(models.TextChoices):
    COMMON = "common", _("Common")
    INDIVIDUAL = "individual", _("Individual")


class NeedStatus(models.TextChoices):
    """A need's stage: open → matched → served; or → case; or escalated; or merged / closed."""

    OPEN = "open", pgettext_lazy("need", "Open")
    MATCHED = "matched", _("Matched to a resource")
    SERVED = "served", _("Served")
    CASE = "case", _("Handled as a case")
    MERGED = "merged", _("Merged")
    CLOSED = "closed", pgettext_lazy("need", "Closed")


NEED_STATUS_COLOURS = {
    NeedStatus.OPEN: "amber", NeedStatus.MATCHED: "blue", NeedStatus.SERVED: "green",
    NeedStatus.CASE: "purple", NeedStatus.MERGED: "grey", NeedStatus.CLOSED: "grey",
}
# A need still waiting for an answer.
NEED_PENDING = (NeedStatus.OPEN, NeedStatus.MATCHED)


class NeedLevel(models.TextChoices):
    """Who holds a need: the chiefs, then the community, then the sub-district (S4)."""

    CHIEFS = "chiefs", _("The chiefs")
    COMMUNITY = "community", _("Community")
    SUBDISTRICT = "subdistrict", _("Sub-district")


# What a need's history (``NeedEvent.type``) reads as; an escalation also says where it went.
NEED_EVENT_LABELS = {
    "raised": pgettext_lazy("need event", "Raised"),
    "matched": pgettext_lazy("need event", "Matched to a resource"),
    "served": pgettext_lazy("need event", "Service recorded"),
    "case": pgettext_lazy("need event", "Filed as a case"),
    "escalated": pgettext_lazy("need event", "Escalated"),
    "merged": pgettext_lazy("need event", "Merged into another need"),
    "merged_in": pgettext_lazy("need event", "Other needs merged in"),
    "closed": pgettext_lazy("need event", "Closed"),
}
ESCALATED_TO_LABELS = {
    NeedLevel.COMMUNITY: pgettext_lazy("need event", "Escalated to the community"),
    NeedLevel.SUBDISTRICT: pgettext_lazy("need event", "Escalated to the sub-district"),
}


class ResourceTier(models.TextChoices):
    """三联 — who links a resource (S4): unit chiefs the 15-minute convenience shops, building
    chiefs civic and volunteer groups, grid chiefs social organisations and public services."""

    CONVENIENCE = "convenience", _("Convenience (15-minute walk)")
    CIVIC = "civic", _("Civic and volunteer groups")
    SOCIAL = "social", _("Social organisations and public services")


# The kind of chief that links each tier.
TIER_CHIEF = {ResourceTier.CONVENIENCE: ChiefKind.UNIT, ResourceTier.CIVIC: ChiefKind.BUILDING,
              ResourceTier.SOCIAL: ChiefKind.GRID}
CHIEF_TIER = {v: k for k, v in TIER_CHIEF.items()}


class PeriodStatus(models.TextChoices):
    """A quarter's publication: reviewed by staff, then published (immutable)."""

    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")


class ScoreTarget(models.TextChoices):
    SERVICE = "service", _("Service")
    CHIEF = "chief", _("Chief")
    RESOURCE = "resource", _("Resource")


class FixedAnswer(models.TextChoices):
    """“Was it really fixed?” (FixMyStreet's questionnaire)."""

    YES = "yes", _("Yes, it is fixed")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No, it is not fixed")


class AwardTarget(models.TextChoices):
    CHIEF = "chief", _("Chief")
    RESOURCE = "resource", _("Resource")
