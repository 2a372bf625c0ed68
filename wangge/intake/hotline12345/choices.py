"""Choices of the 12345 import: the fields a hotline column maps to, job states, row outcomes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Field(models.TextChoices):
    """The case fields a column of the hotline's file can fill (列映射的目标)."""

    ORDER_NUMBER = "order_number", _("Order number")
    TITLE = "title", _("Title")
    DESCRIPTION = "description", _("Description")
    ADDRESS = "address", _("Address")
    REPORTER_NAME = "reporter_name", _("Reporter name")
    REPORTER_PHONE = "reporter_phone", _("Reporter phone")
    ID_NUMBER = "id_number", _("ID number")
    CATEGORY = "category", _("Category")
    PLACE = "place", _("Community or grid")
    RECEIVED_AT = "received_at", _("Time received")
    DEADLINE = "deadline", _("Hotline deadline")


REQUIRED_FIELDS = (Field.ORDER_NUMBER, Field.DESCRIPTION)
DATE_FIELDS = frozenset({Field.RECEIVED_AT, Field.DEADLINE})
MAX_LENGTH = {  # the limits create_case applies, checked before anything is filed
    Field.ORDER_NUMBER: 100, Field.TITLE: 120, Field.DESCRIPTION: 5000, Field.ADDRESS: 200,
    Field.REPORTER_NAME: 50, Field.REPORTER_PHONE: 32, Field.ID_NUMBER: 18,
}

# The column headings of a typical 12345 hand-over sheet, offered when a source is set up.
DEFAULT_MAPPING = {
    Field.ORDER_NUMBER: "工单编号", Field.TITLE: "工单标题", Field.DESCRIPTION: "诉求内容",
    Field.ADDRESS: "事发地址", Field.REPORTER_NAME: "来电人", Field.REPORTER_PHONE: "联系电话",
    Field.ID_NUMBER: "", Field.CATEGORY: "诉求类别", Field.PLACE: "所属社区",
    Field.RECEIVED_AT: "受理时间", Field.DEADLINE: "办理时限",
}


class JobStatus(models.TextChoices):
    VALIDATING = "validating", _("Checking")
    READY = "ready", _("Checked, waiting for your choice")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_STATUSES = (JobStatus.VALIDATING, JobStatus.QUEUED, JobStatus.RUNNING)


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all", _("All or nothing: import only if every row is valid")
    VALID_ONLY = "valid", _("Valid rows only: skip the rows with errors")


class Outcome(models.TextChoices):
    FILED = "filed", _("Filed as a new case")
    EXISTING = "existing", _("Already there")
    INVALID = "invalid", _("Not valid")
    FAILED = "failed", _("Refused while filing")
