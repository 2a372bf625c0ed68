from django.db import models
from django.utils.translation import gettext_lazy as _


class CandidateStatus(models.TextChoices):
    OPEN = "open", _("To check")
    CONFIRMED = "confirmed", _("Confirmed duplicate")
    DISMISSED = "dismissed", _("Not a duplicate")

    @property
    def colour(self) -> str:
        return CANDIDATE_COLOURS[self]


CANDIDATE_COLOURS = {
    CandidateStatus.OPEN: "orange",
    CandidateStatus.CONFIRMED: "dark",
    CandidateStatus.DISMISSED: "grey",
}


class LinkKind(models.TextChoices):
    """How a reporter came to be counted on a case that is not their own report."""

    MERGED = "merged", _("Their report was merged in")
    JOINED = "joined", _("Added themselves")
