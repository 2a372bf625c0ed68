"""Request ids (请求编号) and the log lines that carry them.

Every request gets an id: the load balancer's ``X-Request-ID`` when it is sane (letters, digits
and ``. _ : = + / -``, 8–128 characters: nothing that could forge a log line), otherwise a new
one. It is sent back in the ``X-Request-ID`` response header, put on every log line written
while the request is handled (``RequestIdFilter``), and shown on the 500 page, so a user's
"错误编号" leads straight to the traceback in the log.

``JsonLinesFormatter``: one JSON object per line (time, level, logger, request_id, message, and
the traceback in ``exc_info``) for production logs (``config.settings.prod``).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import uuid

from django.conf import settings
from django.http import HttpResponseServerError, JsonResponse
from django.template import TemplateDoesNotExist, loader
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

HEADER = "X-Request-ID"
NO_REQUEST = "-"
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{7,127}", re.ASCII)

_current: contextvars.ContextVar[str] = contextvars.ContextVar("wangge_request_id", default=NO_REQUEST)


def current_request_id() -> str:
    """The id of the request being handled in this thread, or ``-``."""
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def forget_request_id(**kwargs) -> None:
    """``request_finished`` receiver: log lines after the response (and before the next
    request) belong to no request."""
    _current.set(NO_REQUEST)


class RequestIdMiddleware:
    """First in ``MIDDLEWARE``: every later middleware, view and error handler sees the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if SANE_ID.fullmatch(incoming) else new_request_id()
        request.request_id = request_id
        # Not reset on the way out: Django logs a 4xx/5xx response after the middleware returns;
        # ``forget_request_id`` clears it when the response is closed.
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id()
        return True


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line; a traceback stays inside its line (``exc_info``)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or current_request_id(),
            "message": record.getMessage(),
        }
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            entry["status"] = status
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _request_id_of(request) -> str:
    return getattr(request, "request_id", None) or current_request_id()


@requires_csrf_token
def server_error(request, template_name: str = "500.html"):
    """``handler500``: the platform's error page (in the user's language, Chinese by default),
    with the request id to quote; the API gets its usual error body. Rendered without the
    request's context processors — the database may be what failed."""
    request_id = _request_id_of(request)
    if request.path.startswith("/api/"):
        message = _("Something went wrong on our side. It has been logged; please quote %(id)s.") % {
            "id": request_id}
        return JsonResponse({"error": {"code": "server_error", "message": message, "fields": {}, "codes": {},
                                       "request_id": request_id}}, status=500)
    try:
        template = loader.get_template(template_name)
    except TemplateDoesNotExist:
        return HttpResponseServerError(f"500 · {request_id}", content_type="text/plain; charset=utf-8")
    return HttpResponseServerError(template.render({
        "request_id": request_id,
        "LANGUAGE_CODE": translation.get_language(),
        "STATIC_URL": settings.STATIC_URL,
    }))
