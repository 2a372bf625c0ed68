"""Errors an action raises. Messages are in the user's language (gettext).

Each is a ``wangge.core.errors.DomainError`` (and the not-found / forbidden / state / input ones
are the matching generic error too), so ``core.api`` answers them in the common error format.
"""

from django.utils.translation import gettext_lazy as _

from wangge.core import errors


class CaseError(errors.DomainError):
    """A refused action: nothing was written."""

    code = "invalid"
    status_code = 400
    default_message = _("The action could not be carried out.")


class CaseNotFound(CaseError, errors.NotFound):
    """A case that does not exist, or that the actor may not see: the same answer for both."""

    code = "not_found"
    status_code = 404
    default_message = _("Case not found.")


class ActionForbidden(CaseError, errors.Forbidden):
    code = "forbidden"
    status_code = 403
    default_message = _("You are not allowed to do this on this case.")


class InvalidTransition(CaseError, errors.InvalidState):
    code = "invalid_state"
    status_code = 400


class InvalidInput(CaseError, errors.InvalidInput):
    code = "invalid"
    status_code = 400


class IdempotencyKeyReused(CaseError):
    """An API client sent an Idempotency-Key again with another report
    (draft-ietf-httpapi-idempotency-key-header §2.7): refused, the first case stands."""

    code = "idempotency_key_reused"
    status_code = 422
    default_message = _("This Idempotency-Key was already used for a different report. Send a retry with "
                        "exactly the same report, or use a new key for a new report.")


class ExternalIdTaken(CaseError):
    """A report sent under a (source, external id) already filed as a case the sender may not
    see — another sub-district's 12345 order, another channel's message: refused, and the case
    is not shown (it would be a way round the scope), nothing written."""

    code = "external_id_taken"
    status_code = 409
    default_message = _("A case was already filed under this source and external id, outside what you may see. "
                        "Nothing was filed: check the external id, or send the report without it.")
