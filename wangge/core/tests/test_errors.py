"""core.errors: every app's refused action answers in the one API error format."""

from __future__ import annotations

from django.utils import translation

from wangge.core import errors
from wangge.core.api import exception_handler


def test_a_domain_error_is_answered_in_the_error_format():
    with translation.override("en"):
        response = exception_handler(errors.InvalidInput(fields={"title": "required"}), {})
    assert response.status_code == 400
    assert response.data == {"error": {"code": "invalid", "message": "The input is not valid.",
                                       "fields": {"title": "The input is not valid."},
                                       "codes": {"title": "required"}}}


def test_each_generic_error_has_its_code_and_status():
    for exc, code, status in [(errors.DomainError(), "invalid", 400), (errors.NotFound(), "not_found", 404),
                              (errors.Forbidden(), "forbidden", 403), (errors.InvalidState("x"), "invalid_state", 400)]:
        response = exception_handler(exc, {})
        assert (response.status_code, response.data["error"]["code"]) == (status, code)
    with translation.override("zh-hans"):
        assert exception_handler(errors.NotFound(), {}).data["error"]["message"] == "未找到。"


