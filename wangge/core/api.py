"""API plumbing shared by every app: pagination, one error format, and its schema.

Errors are always JSON::

    {"error": {"code": "invalid", "message": "...", "fields": {"title": "..."}, "codes": {"title": "..."}}}

``message`` is one sentence for a person, in the language of the request (Accept-Language);
``fields`` maps each offending input field to its message and ``codes`` to a stable,
machine-readable code. Bad input is never a 500.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

from .errors import DomainError
from .http import client_ip  # noqa: F401 — re-exported for the API views


class StandardPagination(PageNumberPagination):
    """``?page=`` (1…, or ``last``) and ``?page_size=`` (1…200). A page that is not a positive
    number or a size out of range is a 400 that says so; a page after the last one is a 404."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        size = _small_int(raw)
        if size is None or not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError({self.page_size_query_param: [exceptions.ErrorDetail(
                _("Give a page size between 1 and %(max)d.") % {"max": self.max_page_size}, code="out_of_range")]})
        return size

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param) or "1"
        if raw in self.last_page_strings:
            return paginator.num_pages
        number = _small_int(raw)
        if number is None or number < 1:
            raise exceptions.ValidationError({self.page_query_param: [exceptions.ErrorDetail(
                _("Give the page as a number from 1."), code="invalid")]})
        if number > paginator.num_pages:
            raise exceptions.NotFound(
                _("There is no page %(page)d; the last page is %(last)d.") % {"page": number, "last": paginator.num_pages})
        return number

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class CountedPaginator(Paginator):
    """Django's paginator with a count given, not read: ``count`` is exact, or a floor past which
    the list is not paged (``exact`` false)."""

    def __init__(self, object_list, per_page, *, count: int, exact: bool):
        super().__init__(object_list, per_page)
        self.count = count
        self.exact = exact


class CappedCountPagination(StandardPagination):
    """``StandardPagination`` for a list too long to count: the view's ``count_list(queryset)``
    answers ``(count, exact)`` — exact up to a cap, else the cap ("more than") — and the answer
    carries ``count_exact``. Pages are served as far as the count reaches; a page past it of a
    list that is not counted exactly (or ``page=last``) is a 400 asking to narrow the list down,
    since reaching it would mean reading every case before it."""

    def paginate_queryset(self, queryset, request, view=None):
        count_list = getattr(view, "count_list", None)
        if count_list is None:
            self.count_exact = True
            return super().paginate_queryset(queryset, request, view)
        page_size = self.get_page_size(request)
        count, exact = count_list(queryset)
        paginator = CountedPaginator(queryset, page_size, count=count, exact=exact)
        raw = (request.query_params.get(self.page_query_param) or "1").strip()
        number = _small_int(raw)
        if not exact and (raw in self.last_page_strings or (number is not None and number > paginator.num_pages)):
            raise exceptions.ValidationError({self.page_query_param: [exceptions.ErrorDetail(
                _("Only the first %(n)d cases of a list this long can be paged through. Narrow it down "
                  "(dates, grid, category) to reach the older ones.") % {"n": count}, code="too_deep")]})
        self.request = request
        self.count_exact = exact
        self.page = paginator.page(self.get_page_number(request, paginator))
        return list(self.page)

    def get_next_link(self):
        # Past the counted pages of a longer list there are more cases: the link says so, and
        # following it gets the 400 above rather than an end that is not one.
        if not self.page.has_next() and not self.page.paginator.exact and self.page.object_list:
            return replace_query_param(self.request.build_absolute_uri(), self.page_query_param,
                                       self.page.number + 1)
        return super().get_next_link()

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_exact"] = self.count_exact
        return response

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"]["description"] = (
            "How many items the list holds: exact when count_exact is true; otherwise there are more than "
            "this many, and pages go no further than this many items (a later page is a 400: narrow the "
            "list down, e.g. with dates).")
        answer["properties"]["count_exact"] = {
            "type": "boolean", "example": True,
            "description": "False when the list holds more items than it counts (count is then the cap, "
                           "e.g. 1000 — a common search word over many cases)."}
        answer["required"] = [*answer["required"], "count_exact"]
        return answer


def _small_int(raw: str) -> int | None:
    """An ASCII decimal number of at most 9 digits, else None ("²", "1e9" and 10**100 are not)."""
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


# ---------------------------------------------------------------------------------------------
# Input serializers: ids and text as a person means them
# ---------------------------------------------------------------------------------------------

# The largest id the database keeps (64-bit): a larger number is no row, never a driver overflow.
MAX_ID = 2**63 - 1


def _id_value(data) -> int | None:
    """An id as a JSON integer or a string of ASCII digits ("12"), else None (1.5, true, "1e3",
    "²" and [] are not ids)."""
    if isinstance(data, bool):
        return None
    if isinstance(data, int):
        return data
    if isinstance(data, str):
        text = data.strip()
        if text.isascii() and text.isdigit() and len(text) <= 19:
            return int(text)
    return None


class IdField(serializers.PrimaryKeyRelatedField):
    """A row given by its id, refused in plain words that name the thing — "没有这个事件分类（编号
    99999）", not DRF's 'Invalid pk "99999" - object does not exist.' A number with a fraction
    is not an id (DRF would look up 1.5 as 1), nor is ``true``."""

    def _thing(self) -> str:
        return str(self.get_queryset().model._meta.verbose_name)

    def to_internal_value(self, data):
        if self.pk_field is not None:
            return super().to_internal_value(data)
        pk = _id_value(data)
        if pk is None:
            raise serializers.ValidationError(
                _("Give the %(thing)s as its id, a whole number.") % {"thing": self._thing()}, code="incorrect_type")
        row = self.get_queryset().filter(pk=pk).first() if 0 < pk <= MAX_ID else None
        if row is None:
            raise serializers.ValidationError(
                _("There is no %(thing)s with the id %(id)s.") % {"thing": self._thing(), "id": pk},
                code="does_not_exist")
        return row


def _plain_ids(field):
    """``field`` with its id lookups as ``IdField`` (also the child of a ``many=True`` one)."""
    if type(field) is serializers.PrimaryKeyRelatedField:
        return IdField(*field._args, **field._kwargs)
    if isinstance(field, serializers.ManyRelatedField) and type(field.child_relation) is serializers.PrimaryKeyRelatedField:
        return serializers.ManyRelatedField(**{**field._kwargs, "child_relation": _plain_ids(field.child_relation)})
    return field


def _not_text(field, value) -> bool:
    """Is ``value`` (as the request gave it) something other than what a text field takes?"""
    if value is serializers.empty or value is None:
        return False
    if isinstance(field, serializers.CharField):
        return not isinstance(value, str)
    if isinstance(field, serializers.ListField) and isinstance(field.child, serializers.CharField):
        return isinstance(value, list) and any(item is not None and not isinstance(item, str) for item in value)
    return False


# Keys a form post may carry besides its fields: the CSRF token of a signed-in browser's form.
_FORM_ONLY_KEYS = frozenset({"csrfmiddlewaretoken"})


def _field_of_key(key: str, names) -> str | None:
    """The field a form key addresses: ``attachments[0]`` and ``lead.department`` are how DRF
    reads a list and a nested object from form data."""
    for name in names:
        if key == name or key.startswith((f"{name}[", f"{name}.")):
            return name
    return None


class StrictInputMixin:
    """For every input serializer of the API, in one place rather than per field:

    - a text field takes a JSON string only: ``"reason": 123`` is a 400 (code ``not_text``), not
      the text "123" (DRF turns numbers into text silently);
    - an id field (``PrimaryKeyRelatedField``, also a ``ModelSerializer``'s generated ones and
      ``many=True`` lists) is an ``IdField``: an unknown or malformed id says so in plain words;
    - a field the endpoint does not take is a 400 naming it (code ``unknown_field``), also inside a
      nested object (``lead.departmnet``): DRF drops it silently, so a misspelt ``categroy`` filed a
      case without a category. A field the platform sets itself (read-only: a topic's ``status``)
      is refused the same way (code ``read_only``) rather than ignored — a caller who sends it
      believes it took effect. ``refuses_unknown_fields = False`` for a query string, which also
      carries the list's own parameters (``page``, ``format``).
    """

    refuses_unknown_fields = True

    def get_fields(self):
        return {name: _plain_ids(field) for name, field in super().get_fields().items()}

    def _unknown_field_errors(self, data: Mapping) -> dict:
        writable = [f.field_name for f in self._writable_fields if not isinstance(f, serializers.HiddenField)]
        read_only = [name for name in self.fields if name not in writable]
        form = hasattr(data, "getlist")  # a QueryDict: form or multipart keys (as DRF tells them)
        errors = {}
        for key in data:
            key = str(key)
            if form and key in _FORM_ONLY_KEYS:
                continue
            if (_field_of_key(key, writable) if form else key in writable):
                continue
            taken = _field_of_key(key, read_only) if form else (key if key in read_only else None)
            if taken is not None:
                errors[key] = [exceptions.ErrorDetail(
                    _("%(field)s is set by the platform and cannot be given.") % {"field": taken}, code="read_only")]
            else:
                errors[key] = [exceptions.ErrorDetail(_("Unknown field: %(field)s.") % {"field": key},
                                                      code="unknown_field")]
        return errors

    def to_internal_value(self, data):
        errors = {}
        if isinstance(data, Mapping):
            if self.refuses_unknown_fields:
                errors.update(self._unknown_field_errors(data))
            for field in self._writable_fields:
                if _not_text(field, field.get_value(data)):
                    errors[field.field_name] = [exceptions.ErrorDetail(
                        _("%(field)s must be text (in quotes), not a number or another JSON value.")
                        % {"field": field.field_name}, code="not_text")]
        try:
            value = super().to_internal_value(data)
        except exceptions.ValidationError as exc:
            if not errors:
                raise
            detail = exc.detail if isinstance(exc.detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
            raise exceptions.ValidationError({**detail, **errors}) from None
        if errors:
            raise exceptions.ValidationError(errors)
        return value


class InputSerializer(StrictInputMixin, serializers.Serializer):
    """The base of the API's input serializers (``StrictInputMixin``)."""


class InputModelSerializer(StrictInputMixin, serializers.ModelSerializer):
    """The base of the API's model serializers that take input (``StrictInputMixin``)."""


class QueryInputSerializer(InputSerializer):
    """The base of the API's query-string serializers: strict about values, but the query also
    holds what is not theirs (``page``, ``page_size``, ``format``)."""

    refuses_unknown_fields = False


class NoBodySerializer(InputSerializer):
    """The body of an endpoint that takes none: nothing, or ``{}``."""


def refuse_body(request) -> None:
    """An endpoint that takes no body (签发纪要, 公布议程, reveal a reporter …) refuses one — a 400
    naming each field (code ``unknown_field``) — rather than ignore it: a caller who sends
    ``{"note": …}`` believes the note was kept. Called before anything is looked up or written,
    so a refused call changes nothing."""
    NoBodySerializer(data=request.data).is_valid(raise_exception=True)


# ---------------------------------------------------------------------------------------------
# JSON bodies of bounded depth
# ---------------------------------------------------------------------------------------------

MAX_JSON_DEPTH = 32
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b'[]{}"\\')))


def json_depth_exceeds(data: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Is some array or object in ``data`` nested deeper than ``limit``? Brackets inside strings
    do not count. One pass over the brackets, quotes and backslashes only, stopping as soon as
    the limit is passed — before ``json`` would recurse into it (Python's recursion limit turns a
    50,000-deep body into a crash, not an error)."""
    depth = 0
    in_string = escaped = False
    for byte in data.translate(None, _NOT_STRUCTURE):
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


class NestedTooDeep(exceptions.ParseError):
    default_code = "too_deep"


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than MAX_JSON_DEPTH with a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        # DRF reads the request stream itself, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE check.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        data = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(data) > limit:
            raise RequestDataTooBig()
        if json_depth_exceeds(data):
            raise NestedTooDeep()
        return super().parse(io.BytesIO(data), media_type, parser_context)


# ---------------------------------------------------------------------------------------------
# The error format
# ---------------------------------------------------------------------------------------------


def _flatten(detail, codes, prefix: str = "") -> tuple[dict[str, str], dict[str, str]]:
    """DRF's nested error detail → {"a.0.b": message}, {"a.0.b": code}."""
    messages: dict[str, str] = {}
    out_codes: dict[str, str] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            sub_codes = codes.get(key) if isinstance(codes, dict) else codes
            m, c = _flatten(value, sub_codes, f"{prefix}.{key}" if prefix else str(key))
            messages.update(m)
            out_codes.update(c)
    elif isinstance(detail, list) and detail and all(isinstance(x, (dict, list)) for x in detail):
        for i, value in enumerate(detail):
            sub_codes = codes[i] if isinstance(codes, list) and i < len(codes) else codes
            m, c = _flatten(value, sub_codes, f"{prefix}.{i}" if prefix else str(i))
            messages.update(m)
            out_codes.update(c)
    else:
        items = detail if isinstance(detail, list) else [detail]
        code_items = codes if isinstance(codes, list) else [codes]
        # A nested object's own errors belong to the field that holds it ("lead", not
        # "lead.non_field_errors").
        key = prefix.removesuffix(".non_field_errors") or "non_field_errors"
        if items:
            messages[key] = " ".join(str(x) for x in items)
            out_codes[key] = str(code_items[0]) if code_items and code_items[0] is not None else "invalid"
    return messages, out_codes


def error_response(code: str, message, http_status: int, fields: dict | None = None,
                   codes: dict | None = None) -> Response:
    body = {"code": code, "message": str(message), "fields": {k: str(v) for k, v in (fields or {}).items()},
            "codes": codes or {}}
    return Response({"error": body}, status=http_status)


def _validation_response(exc: exceptions.ValidationError) -> Response:
    fields, codes = _flatten(exc.detail, exc.get_codes())
    # The message is a sentence for a person; which field it is about is in ``fields``.
    message = next(iter(fields.values()), _("The input is not valid."))
    general = {k: v for k, v in fields.items() if k not in ("non_field_errors", "detail")}
    general_codes = {k: v for k, v in codes.items() if k in general}
    return error_response("invalid", message, status.HTTP_400_BAD_REQUEST, general, general_codes)


def _domain_error_response(exc: DomainError) -> Response:
    message = str(exc.message)
    # Actions name the offending fields with a code; give each the sentence as well.
    fields = {name: message for name in exc.fields}
    codes = {name: str(code) for name, code in exc.fields.items()}
    response = error_response(exc.code, message, exc.status_code, fields, codes)
    if exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    return response


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return _domain_error_response(exc)
    if isinstance(exc, DjangoValidationError):
        return error_response("invalid", " ".join(exc.messages), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        return error_response("not_found", _("Not found."), status.HTTP_404_NOT_FOUND)
    if isinstance(exc, RequestDataTooBig):
        return error_response("too_large", _("The request is too large."), status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, (TooManyFieldsSent, SuspiciousOperation)):
        return error_response("invalid", _("The request could not be read."), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, NestedTooDeep):
        return error_response("too_deep", _("The request body is nested too deeply (at most %(n)d levels).")
                              % {"n": MAX_JSON_DEPTH}, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ParseError):
        # DRF's own text quotes the parser's English error; say it plainly, in the user's language.
        return error_response("parse_error", _("The request body could not be read: it is not valid JSON "
                                               "or form data."), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(exc)
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        # Session authentication comes first in the settings, which makes DRF answer 403; a
        # request without valid credentials is a 401 that says how to authenticate.
        resp = error_response(exc.get_codes() if isinstance(exc.get_codes(), str) else "not_authenticated",
                              exc.detail, status.HTTP_401_UNAUTHORIZED)
        resp["WWW-Authenticate"] = 'Token realm="api"'
        return resp
    # Imported here: rest_framework.views reads DEFAULT_PARSER_CLASSES, which names this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    code = code if isinstance(code, str) else getattr(exc, "default_code", "error")
    detail = getattr(exc, "detail", str(exc))
    messages, _codes = _flatten(detail, None)
    resp = error_response(code, " ".join(messages.values()), response.status_code)
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            resp[header] = response[header]
    return resp


API_PREFIX = "/api/"


def page_not_found(request, exception):
    """handler404: an API path answers in the API's error format, any other the HTML page."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"error": {"code": "not_found", "message": _("Not found."), "fields": {}, "codes": {}}},
                            status=404)
    return defaults.page_not_found(request, exception)


# ---------------------------------------------------------------------------------------------
# The error format in the OpenAPI schema
# ---------------------------------------------------------------------------------------------

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorBody",
            fields={
                "code": serializers.CharField(help_text="invalid, invalid_state, parse_error, too_deep, "
                                                        "not_authenticated, authentication_failed, token_expired, "
                                                        "token_revoked, forbidden, not_found, too_large …"),
                "message": serializers.CharField(help_text="One sentence for a person, in the request's language."),
                "fields": serializers.DictField(child=serializers.CharField(),
                                                help_text="Offending input field → message."),
                "codes": serializers.DictField(child=serializers.CharField(),
                                               help_text="Offending input field → machine-readable code "
                                                         "(required, not_text, does_not_exist, unknown_field — a "
                                                         "field the endpoint does not take, read_only — one the "
                                                         "platform sets …)."),
            },
        )
    },
)


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """The documented error answers of an endpoint (401 is added to every one)."""
    descriptions = {
        400: "Invalid input, or an action not allowed in the case's current state (code invalid_state).",
        401: "No or invalid credentials.",
        403: "Not allowed for this user.",
        404: "Not found — also a case outside the user's scope.",
        413: "Request too large.",
    }
    return {s: OpenApiResponse(ErrorSerializer, description=descriptions[s]) for s in sorted({401, *statuses})}


def document_unsupported_media_type(result, generator, request, public):
    """drf-spectacular hook: every operation that takes a body may answer 415 (a body in a media
    type it does not parse), in the same error format as its 400."""
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            responses = operation.setdefault("responses", {})
            if "415" not in responses and "400" in responses:
                responses["415"] = {**responses["400"],
                                    "description": "Unsupported media type: send JSON or multipart/form-data."}
    return result


# An answer in the platform's error format, as the post-processing hooks add it to the schema.
_ERROR_CONTENT = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def document_pagination_errors(result, generator, request, public):
    """drf-spectacular hook: every paginated list (``StandardPagination``: a ``page`` parameter)
    may answer 400 (a page or page size that is not a number in range) and 404 (a page after the
    last one), in the platform's error format — whichever app the list belongs to."""
    error = _ERROR_CONTENT
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict):
                continue
            names = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "query"}
            if "page" not in names:
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", {**error, "description": "A page or page size that is not a number in range."})
            responses.setdefault("404", {**error, "description": "A page after the last one."})
    return result


def document_unauthenticated(result, generator, request, public):
    """drf-spectacular hook: every API operation but the token exchange needs credentials, so
    each may answer 401 in the error format (an app's view that forgot to say so included)."""
    error = {**_ERROR_CONTENT, "description": "No or invalid credentials."}
    for path, methods in result.get("paths", {}).items():
        if path.endswith("/auth/token/"):
            continue
        for operation in methods.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("401", error)
    return result


def document_unknown_fields(result, generator, request, public):
    """drf-spectacular hook: a request body takes only the fields it lists (``StrictInputMixin``
    refuses any other with a 400, code ``unknown_field``), so each object in it — nested ones too —
    says ``additionalProperties: false``. A free-form object (a JSON or dict field) keeps its own."""
    schemas = result.get("components", {}).get("schemas", {})
    done: set[str] = set()

    def close(schema):
        if not isinstance(schema, dict):
            return
        ref = schema.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            if name not in done and name in schemas:
                done.add(name)
                close(schemas[name])
            return
        if "properties" in schema:
            schema.setdefault("additionalProperties", False)
            for sub in schema["properties"].values():
                close(sub)
        close(schema.get("items"))
        for key in ("allOf", "oneOf", "anyOf"):
            for sub in schema.get(key, []):
                close(sub)

    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if isinstance(operation, dict):
                for media in operation.get("requestBody", {}).get("content", {}).values():
                    close(media.get("schema"))
    return result
