"""One TextChoices class per field, with the badge colours beside it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    SUSPENDED = "suspended", _("Suspended")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged")

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self]


STATUS_COLOURS = {
    CaseStatus.SUBMITTED: "grey",
    CaseStatus.ACCEPTED: "blue",
    CaseStatus.REJECTED: "dark",
    CaseStatus.DISPATCHED: "indigo",
    CaseStatus.IN_PROGRESS: "orange",
    CaseStatus.SUSPENDED: "purple",
    CaseStatus.RESOLVED: "teal",
    CaseStatus.CLOSED: "green",
    CaseStatus.MERGED: "dark",
}

# Statuses in which a case still needs somebody's work.
OPEN_STATUSES = [
    CaseStatus.SUBMITTED,
    CaseStatus.ACCEPTED,
    CaseStatus.DISPATCHED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.SUSPENDED,
]
FINAL_STATUSES = [CaseStatus.REJECTED, CaseStatus.CLOSED, CaseStatus.MERGED]


class StarLevel(models.IntegerChoices):
    """星级 — 1★ solvable by the sub-district, 2★ needs district departments, 3★ beyond the
    district (S0)."""

    ONE = 1, _("1★ sub-district")
    TWO = 2, _("2★ district departments")
    THREE = 3, _("3★ beyond the district")


class HandlingType(models.TextChoices):
    """办理类型 (S1)."""

    GENERAL = "general", _("General")
    COORDINATION = "coordination", _("Coordination")
    EMERGENCY = "emergency", _("Emergency")
    APPROVAL = "approval", _("Approval")


class CaseLevel(models.TextChoices):
    """The level currently holding the case; escalation moves it up one step."""

    GRID = "grid", _("Grid")
    COMMUNITY = "community", _("Community")
    SUBDISTRICT = "subdistrict", _("Sub-district")
    DISTRICT = "district", _("District")
    CITY = "city", _("City")


CASE_LEVEL_ORDER = [c.value for c in CaseLevel]


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    WECHAT = "wechat", _("WeChat")
    QR_PAGE = "qr_page", _("QR-code page")
    WEB = "web", _("Web report")
    PATROL = "patrol", _("Patrol")
    HOTLINE_12345 = "12345", _("12345 hand-over")
    PETITION = "petition", _("Petition")
    PROPERTY = "property", _("Property company / owners' committee")
    DEPARTMENT = "department", _("Department feedback")
    API = "api", _("API")


class Light(models.TextChoices):
    """亮灯督办 — the deadline light of an open case."""

    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")
    NONE = "none", _("—")

    @property
    def colour(self) -> str:
        return {"green": "green", "amber": "amber", "red": "red", "none": "grey"}[self.value]


class Stage(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    DISPATCH = "dispatch", _("Dispatch")
    RESOLVE = "resolve", _("Resolve")


# The stage whose deadline a case in each status runs against (none: no clock is running).
STAGE_OF_STATUS = {
    CaseStatus.SUBMITTED: Stage.ACCEPT,
    CaseStatus.ACCEPTED: Stage.DISPATCH,
    CaseStatus.DISPATCHED: Stage.RESOLVE,
    CaseStatus.IN_PROGRESS: Stage.RESOLVE,
}


class DurationUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    WORKING_DAYS = "working_days", _("working days")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    ASSIST = "assist", _("Co-handler")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    WITHDRAWN = "withdrawn", _("Withdrawn")  # the case left its handler before a decision


class EventType(models.TextChoices):
    CREATED = "created", _("Filed")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    CLASSIFIED = "classified", _("Classified")
    DISPATCHED = "dispatched", _("Dispatched")
    CLAIMED = "claimed", _("Claimed")
    REPORTED_IN = "reported_in", _("Reported in")
    RETURNED = "returned", _("Returned to dispatcher")
    PROGRESS = "progress", _("Progress note")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_APPROVED = "extension_approved", _("Extension approved")
    EXTENSION_DENIED = "extension_denied", _("Extension denied")
    SUSPENDED = "suspended", _("Suspended")
    RESUMED = "resumed", _("Resumed")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED = "escalated", _("Escalated")
    LIGHT_CHANGED = "light_changed", _("Deadline light changed")
    DEADLINES_RECOMPUTED = "deadlines_recomputed", _("Deadlines recomputed")
    DEADLINE_AGREED = "deadline_agreed", _("Deadline agreed")
    REVISITED = "revisited", _("Revisit (callback)")
    REVISIT_FAILED = "revisit_failed", _("Callback not reached")
    RATED = "rated", _("Rated")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another case")
    DUPLICATE_MERGED = "duplicate_merged", _("Duplicate merged in")
    URGED = "urged", _("Urged")
    PII_VIEWED = "pii_viewed", _("Reporter details viewed")
    PII_REDACTED = "pii_redacted", _("Personal data erased from the record")
