"""Errors an action raises. Messages are in the user's language (gettext)."""

from django.utils.translation import gettext_lazy as _


class CaseError(Exception):
    """A refused action: nothing was written."""

    code = "invalid"
    status_code = 400

    def __init__(self, message=None, *, fields: dict | None = None):
        self.message = message if message is not None else self.default_message
        self.fields = fields or {}
        super().__init__(str(self.message))

    default_message = _("The action could not be carried out.")


class CaseNotFound(CaseError):
    """A case that does not exist, or that the actor may not see: the same answer for both."""

    code = "not_found"
    status_code = 404
    default_message = _("Case not found.")


class ActionForbidden(CaseError):
    code = "forbidden"
    status_code = 403
    default_message = _("You are not allowed to do this on this case.")


class InvalidTransition(CaseError):
    code = "invalid_state"
    status_code = 400


class InvalidInput(CaseError):
    code = "invalid"
    status_code = 400
