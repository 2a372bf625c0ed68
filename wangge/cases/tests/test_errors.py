"""The case desk's errors are the platform's domain errors, answered in their own words."""

from __future__ import annotations

from django.utils import translation

from wangge.cases.errors import ActionForbidden, CaseError, CaseNotFound, InvalidInput, InvalidTransition
from wangge.core import errors
from wangge.core.api import exception_handler


def test_case_errors_are_domain_errors_with_their_own_words():
    assert issubclass(CaseError, errors.DomainError)
    assert issubclass(CaseNotFound, errors.NotFound) and issubclass(ActionForbidden, errors.Forbidden)
    assert issubclass(InvalidTransition, errors.InvalidState) and issubclass(InvalidInput, errors.InvalidInput)
    with translation.override("en"):
        assert str(CaseNotFound().message) == "Case not found."
        assert str(InvalidInput().message) == "The action could not be carried out."
        response = exception_handler(ActionForbidden(), {})
    assert (response.status_code, response.data["error"]["code"]) == (403, "forbidden")
    assert response.data["error"]["message"] == "You are not allowed to do this on this case."
