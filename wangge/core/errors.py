"""Errors a domain action raises, for every app: a refused action, nothing written.

``core.api`` turns each into the one JSON error format (``code``, ``status_code``, ``message``,
``fields``); the web views put it back into their form. Apps subclass these for their own rows
(``cases.errors.CaseNotFound`` is a ``NotFound``) so a caller may catch either the generic or
the specific error. Messages are in the user's language (gettext).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refused action: nothing was written.

    ``message``: one sentence for a person (default: the class's ``default_message``);
    ``fields``: offending input field → machine-readable code; ``retry_after``: for a refusal
    over a rate limit, the seconds after which to try again (the API's ``Retry-After``).
    """

    code = "invalid"
    status_code = 400
    default_message = _("The action could not be carried out.")

    def __init__(self, message=None, *, fields: dict | None = None, retry_after: int | None = None):
        self.message = message if message is not None else self.default_message
        self.fields = fields or {}
        self.retry_after = retry_after
        super().__init__(str(self.message))


class NotFound(DomainError):
    """A row that does not exist, or that the actor may not see: the same answer for both."""

    code = "not_found"
    status_code = 404
    default_message = _("Not found.")


class Forbidden(DomainError):
    code = "forbidden"
    status_code = 403
    default_message = _("You are not allowed to do this.")


class InvalidState(DomainError):
    """Not allowed in the row's current state."""

    code = "invalid_state"
    status_code = 400


class InvalidInput(DomainError):
    code = "invalid"
    status_code = 400
    default_message = _("The input is not valid.")
