"""One TextChoices class per field, with the badge colours beside it."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingKind(models.TextChoices):
    """会议类型."""

    BIMONTHLY = "bimonthly", _("Bimonthly consultation")  # 双月协商会 (S0)
    DELIBERATION = "deliberation", _("Deliberation meeting")  # 协商议事 (S2)
    TRIPARTITE = "tripartite", _("Tripartite joint meeting")  # 三方联席会 (S2)
    DEPARTMENT = "department", _("Department consultation")  # 部门会商 (S3)


class MeetingLevel(models.TextChoices):
    """The four levels of deliberation (S2): 街道、社区、小区、网格."""

    SUBDISTRICT = "subdistrict", _("Sub-district")
    COMMUNITY = "community", _("Community")
    COMPOUND = "compound", _("Compound")
    GRID = "grid", _("Grid")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    AGENDA_PUBLISHED = "agenda_published", _("Agenda published")
    HELD = "held", _("Held")
    MINUTES_PUBLISHED = "minutes_published", _("Minutes published")

    @property
    def colour(self) -> str:
        return {"planned": "grey", "agenda_published": "blue", "held": "orange",
                "minutes_published": "green"}[self.value]


class Recurrence(models.TextChoices):
    """How often a schedule's meetings come round."""

    EVERY_TWO_MONTHS = "every_two_months", _("Every two months")
    MONTHLY = "monthly", _("Every month")


class ParticipantKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    DEPARTMENT = "department", _("Department")
    REPRESENTATIVE = "representative", _("Outside representative")


class RepresentativeRole(models.TextChoices):
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")
    PROPERTY_COMPANY = "property_company", _("Property company")
    PARTY_MEMBER = "party_member", pgettext_lazy("meetings", "Party member")
    RESIDENT = "resident", _("Resident representative")
    OTHER = "other", _("Other")


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for vetting")
    ACCEPTED = "accepted", pgettext_lazy("meetings", "Accepted")
    REJECTED = "rejected", pgettext_lazy("meetings", "Rejected")

    @property
    def colour(self) -> str:
        return {"proposed": "grey", "accepted": "green", "rejected": "dark"}[self.value]


class Decision(models.TextChoices):
    """The outcome of one agenda item."""

    NONE = "", _("Not decided")
    SOLVED = "solved", _("Solved on the spot")
    PLAN = "plan", _("Plan agreed")
    DEFERRED = "deferred", _("Deferred to the next meeting")
    UNSOLVABLE = "unsolvable", _("Not solvable here")

    @property
    def colour(self) -> str:
        return {"": "grey", "solved": "green", "plan": "blue", "deferred": "amber", "unsolvable": "red"}[self.value]


class MinutesKind(models.TextChoices):
    MINUTES = "minutes", _("Minutes")
    ADDENDUM = "addendum", _("Addendum")


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")


class AmendmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", pgettext_lazy("meetings", "Accepted")
    REJECTED = "rejected", pgettext_lazy("meetings", "Rejected")


class MeetingEventType(models.TextChoices):
    CREATED = "created", _("Scheduled")
    PARTICIPANT_ADDED = "participant_added", _("Participant added")
    ITEM_ADDED = "item_added", _("Agenda item added")
    ITEM_REMOVED = "item_removed", _("Agenda item removed")
    ITEM_CARRIED = "item_carried", _("Item carried over")
    AGENDA_PUBLISHED = "agenda_published", _("Agenda published")
    ATTENDANCE = "attendance", _("Attendance recorded")
    ITEM_DECIDED = "item_decided", _("Item decided")
    HELD = "held", _("Meeting closed")
    AMENDMENT_PROPOSED = "amendment_proposed", _("Amendment proposed")
    AMENDMENT_DECIDED = "amendment_decided", _("Amendment decided")
    MINUTES_PUBLISHED = "minutes_published", _("Minutes published")
    ADDENDUM = "addendum", _("Addendum to the minutes")
    REMINDED = "reminded", _("Convener reminded")
