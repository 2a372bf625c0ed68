from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DayStatus(models.TextChoices):
    """A diary day: open while the day runs, closed at its end, signed off by the grid chief."""

    OPEN = "open", pgettext_lazy("diary day", "Open")
    CLOSED = "closed", pgettext_lazy("diary day", "Closed")
    SIGNED = "signed", pgettext_lazy("diary day", "Signed off")


DAY_STATUS_BADGE = {DayStatus.OPEN: "blue", DayStatus.CLOSED: "yellow", DayStatus.SIGNED: "green"}


class NoteSection(models.TextChoices):
    """The columns of the paper diary a free note goes in."""

    WORK = "work", _("Work done")
    PROBLEM = "problem", _("Problems found")
    HANDLING = "handling", _("Handling")
    NOTE = "note", _("Notes")
