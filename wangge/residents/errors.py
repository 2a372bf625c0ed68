"""The refusals of the resident actions (subclasses of ``wangge.core.errors``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wangge.core.errors import Forbidden, InvalidInput, InvalidState


class ResidentDataForbidden(Forbidden):
    """The caller decided that this user may not see the resident's unmasked data (the attempt
    is logged all the same)."""

    code = "resident_data_forbidden"
    default_message = _("You are not allowed to see this resident's personal data.")


class InvalidPhone(InvalidInput):
    default_message = _("This is not a valid phone number.")


class PhoneTaken(InvalidState):
    """An unverified phone that belongs to another resident: nothing proves they are one person."""

    code = "phone_taken"
    default_message = _("This phone number belongs to another resident; verify it to link the two.")


class ResidentGone(InvalidState):
    """The resident was anonymised or merged into another one: its row is only a placeholder."""

    code = "resident_gone"
    default_message = _("This resident was anonymised or merged and cannot be changed.")


class OpenBusiness(InvalidState):
    """PIPL erasure refused while the resident still has business with the office."""

    code = "open_business"
    default_message = _("This resident still has open business and cannot be anonymised.")

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__(
            _("This resident still has open business and cannot be anonymised: %(reasons)s.")
            % {"reasons": "; ".join(str(r) for r in reasons)}
        )
