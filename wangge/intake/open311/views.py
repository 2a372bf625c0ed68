"""GeoReport v2 endpoints (plain Django views: the spec, not our OpenAPI schema, describes them,
and it needs XML and format suffixes). Thin: parse (``params``), act or read (``actions``,
``selectors``), present (``presenters``), render (``render``).

Every refusal is the spec's error list in the format asked for, with its HTTP status; nothing is
written unless the whole request is valid."""

from __future__ import annotations

import functools
import logging

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from wangge.core.errors import DomainError
from wangge.core.ratelimit import Limit, client_ip

from . import actions, params, presenters, render, selectors
from .errors import Open311Error

log = logging.getLogger(__name__)


def open311_view(*methods):
    """Language from Accept-Language (API clients ask for theirs; Chinese by default), the
    jurisdiction check, and every refusal as the error list."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, fmt="xml", **kwargs):
            language = translation.get_language_from_request(request)
            with translation.override(language):
                if request.method not in methods:
                    response = render.errors(fmt, [(405, _("This method is not allowed here."))])
                    response["Allow"] = ", ".join(methods)
                    return response
                try:
                    reads = Limit.named("open311_read")
                    if request.method == "GET" and not reads.hit(client_ip(request)):
                        raise Open311Error(_("Too many requests; try again later."), status=429,
                                           retry_after=reads.seconds)
                    params.check_jurisdiction(request.GET if request.method == "GET" else _post(request))
                    return view(request, *args, fmt=fmt, **kwargs)
                except DomainError as exc:
                    errors = getattr(exc, "errors", None) or [(exc.status_code, str(exc.message))]
                    response = render.errors(fmt, errors)
                    if exc.retry_after:
                        response["Retry-After"] = str(exc.retry_after)
                    return response
                except (RequestDataTooBig, TooManyFieldsSent, SuspiciousOperation, BadRequest):
                    return render.errors(fmt, [(400, _("The request could not be read."))])

        return wrapper

    return decorate


def _post(request):
    content_type = request.content_type or ""
    if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # The spec posts forms; XML or JSON bodies are not parsed at all.
        raise Open311Error(_("Send the parameters as application/x-www-form-urlencoded."), status=400)
    return request.POST


def _base_url(request) -> str:
    return request.build_absolute_uri("/open311/v2/")


@open311_view("GET")
def discovery(request, *, fmt):
    return render.respond(fmt, "discovery", presenters.discovery(_base_url(request)))


@open311_view("GET")
def services(request, *, fmt):
    return render.respond(fmt, "services", [presenters.service(*row) for row in selectors.services()])


@open311_view("GET")
def service_definition(request, code, *, fmt):
    category = selectors.service(code) if params.SERVICE_CODE_RE.match(code) else None
    if category is None:
        raise Open311Error(_("service_code %(code)s was not found.") % {"code": code[:60]}, status=404)
    return render.respond(fmt, "service_definition",
                          presenters.service_definition(category, selectors.attributes_of(category)))


@open311_view("GET", "POST")
def requests(request, *, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    query = params.parse_request_query(request.GET)
    return render.respond(fmt, "service_requests", [presenters.request(c) for c in selectors.requests(query)])


def _client(request, form):
    key = (form.get("api_key") or request.headers.get("X-Api-Key") or "").strip()
    client = selectors.client_by_key_hash(actions.hash_key(key)) if key and len(key) <= 100 else None
    if client is None or not client.is_active:
        # Unknown and revoked keys get the same answer; both count against the caller's address.
        guesses = Limit.named("open311_bad_key")
        if not guesses.hit(client_ip(request)):
            raise Open311Error(_("Too many requests with an invalid api_key; try again later."), status=429,
                               retry_after=guesses.seconds)
        raise Open311Error(_("api_key was not provided or is not valid."), status=403)
    return client


def _create(request, fmt):
    form = _post(request)
    client = _client(request, form)
    posts = Limit.named("open311_post")
    if not posts.hit(f"client:{client.pk}"):
        raise Open311Error(_("This api_key has filed too many requests; try again later."), status=429,
                           retry_after=posts.seconds)
    report = params.parse_report(form, client=client, idempotency_key=request.headers.get("Idempotency-Key", ""))
    case, received = actions.submit_request(client=client, report=report)
    log.info("open311 request filed", extra={"client": client.pk, "case": case.number, "replayed": case.replayed})
    return render.respond(fmt, "service_requests", [presenters.created(case, received)],
                          status=200)


@open311_view("GET")
def request_detail(request, request_id, *, fmt):
    case = selectors.request_by_id(request_id) if params.REQUEST_ID_RE.match(request_id) else None
    if case is None:
        raise Open311Error(_("service_request_id %(id)s was not found.") % {"id": request_id[:40]}, status=404)
    return render.respond(fmt, "service_requests", [presenters.request(case)])


@open311_view("GET")
def token(request, token, *, fmt):
    found = selectors.tokens(token) if params.TOKEN_RE.match(token) else []
    if not found:
        raise Open311Error(_("token %(token)s was not found.") % {"token": token[:64]}, status=404)
    return render.respond(fmt, "service_requests", [presenters.token(r) for r in found])


@open311_view("GET")
def updates(request, *, fmt):
    query = params.parse_update_query(request.GET)
    return render.respond(fmt, "service_request_updates", [presenters.update(e) for e in selectors.updates(query)])


@csrf_exempt
def not_found(request, *args, **kwargs):
    fmt = "json" if request.path.endswith(".json") else "xml"
    with translation.override(translation.get_language_from_request(request)):
        return render.errors(fmt, [(404, _("There is no such Open311 resource; see discovery.xml."))])
