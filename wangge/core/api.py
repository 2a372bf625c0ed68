"""API plumbing shared by every app: pagination and one error format.

Errors are always JSON: ``{"error": {"code": ..., "message": ..., "fields": {...}}}``, with the
message in the language of the request (Accept-Language), and never a 500 for bad input.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from wangge.cases.errors import CaseError


class StandardPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def _flatten(detail) -> tuple[str, dict]:
    if isinstance(detail, dict):
        fields = {k: " ".join(str(x) for x in (v if isinstance(v, list) else [v])) for k, v in detail.items()}
        first = next(iter(fields.items()), ("", ""))
        message = first[1] if first[0] in ("non_field_errors", "detail") else f"{first[0]}: {first[1]}"
        return message, fields
    if isinstance(detail, list):
        return " ".join(str(x) for x in detail), {}
    return str(detail), {}


def error_response(code: str, message, http_status: int, fields: dict | None = None) -> Response:
    return Response({"error": {"code": code, "message": str(message), "fields": fields or {}}}, status=http_status)


def exception_handler(exc, context):
    if isinstance(exc, CaseError):
        return error_response(exc.code, exc.message, exc.status_code, exc.fields)
    if isinstance(exc, DjangoValidationError):
        return error_response("invalid", " ".join(exc.messages), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        return error_response("not_found", _("Not found."), status.HTTP_404_NOT_FOUND)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        message, fields = _flatten(exc.detail)
        return error_response("invalid", message, response.status_code, fields)
    code = getattr(exc, "default_code", "error")
    message, _fields = _flatten(getattr(exc, "detail", str(exc)))
    resp = error_response(code, message, response.status_code)
    for header in ("WWW-Authenticate", "Retry-After"):
        if header in response:
            resp[header] = response[header]
    return resp
