"""Case API: list, detail, filing, reporter data, and one endpoint per action.

Thin views: reads go through ``cases.selectors`` (scoped: a case outside the user's scope is a
404, the same as a missing one), every write calls one function of ``cases.actions``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, generics, serializers, status, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from wangge.core.api import (
    BoundedJSONParser,
    CappedCountPagination,
    ErrorSerializer,
    client_ip,
    error_responses,
    refuse_body,
)
from wangge.core.dbrouter import primary_reads
from wangge.residents.masking import full_phone

from .. import actions, channels, permissions, search, selectors
from ..downloads import attachment_response
from ..errors import CaseNotFound, ExternalIdTaken, InvalidInput
from ..filtersets import CaseFilterSet
from ..models import (
    Case,
    CaseAssignment,
    CaseEvent,
    Category,
    ExtensionRequest,
    SlaPolicy,
)
from ..registry import CaseActionType, case_actions
from ..transitions import check_transition
from . import serializers as s

PARSERS = [BoundedJSONParser, MultiPartParser, FormParser]

ASSIGNMENTS = Prefetch(
    "assignments",
    queryset=CaseAssignment.objects.select_related("department", "user", "region", "assigned_by", "claimed_by"),
)
DETAIL_PREFETCH = (
    "created_by",
    ASSIGNMENTS,
    Prefetch("events", queryset=CaseEvent.objects.select_related("actor").prefetch_related("attachments")),
    Prefetch("extension_requests", queryset=ExtensionRequest.objects.select_related("requested_by", "decided_by")
             .order_by("requested_at", "pk")),
    "attachments",
)


def detail_data(request, case: Case) -> dict:
    """The detail of a case the user may see (already scope-checked), in a fixed number of queries."""
    prefetch_related_objects([case], *DETAIL_PREFETCH)
    return s.CaseDetailSerializer(case, context={"request": request}).data


def fresh_detail_data(request, pk: int) -> dict:
    """The detail after an action changed the case (the action's own copy is partly loaded)."""
    return detail_data(request, Case.objects.select_related(*selectors.CASE_DETAIL_RELATED).get(pk=pk))


class StrictOrderingFilter(OrderingFilter):
    """DRF's ``?ordering=`` (``-`` for descending, several comma-separated), refusing a field it
    does not sort by with a 400 that names the ones it does — never silently the default order."""

    def allowed(self, view) -> list[str]:
        return [term for name in view.ordering_fields for term in (name, f"-{name}")]

    def get_ordering(self, request, queryset, view):
        terms = [term.strip() for term in request.query_params.get(self.ordering_param, "").split(",")]
        allowed = self.allowed(view)
        if any(term and term not in allowed for term in terms):
            raise exceptions.ValidationError({self.ordering_param: [exceptions.ErrorDetail(
                _("Sort by one of: %(choices)s.") % {"choices": ", ".join(allowed)}, code="invalid_choice")]})
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not {"pk", "-pk", "number", "-number"} & set(ordering):
            # Ties last by the case, so that pages never overlap: many cases share a deadline, and
            # the database may order ties differently for each page (PostgreSQL's top-N sort).
            ordering = [*ordering, "-pk" if ordering[0].startswith("-") else "pk"]
        return ordering

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.ordering_param:
                # A comma-separated list (OpenAPI style form, explode false), as the filter reads it.
                parameter["schema"] = {"type": "array", "items": {"type": "string", "enum": self.allowed(view)}}
                parameter["style"], parameter["explode"] = "form", False
                parameter["description"] = ("Sort by these fields, comma-separated, first one first (`-` for "
                                            "descending: `-resolve_due_at,number`); any other value is a 400 "
                                            "(code invalid_choice). Default: newest first.")
        return parameters


# `department` filters through assignments, not a field of Case: tell the schema it is an id.
extend_schema_field(OpenApiTypes.INT)(CaseFilterSet.base_filters["department"])

# The longest Idempotency-Key kept (it is stored as the case's external id).
IDEMPOTENCY_KEY_MAX = 100

CASE_NUMBER = OpenApiParameter("number", str, OpenApiParameter.PATH, description="Case number, e.g. WG20261124-00042")


class PhoneInUrl(InvalidInput):
    """A caller's phone in the query string: it would stay in the access logs of every proxy and
    server on the way (the integrator's and ours), in histories and in Referers. Refused before
    anything is looked up; the look-up takes the number in a POST body (``caller-search``)."""

    code = "phone_in_url"
    default_message = gettext_lazy("A phone number does not go into a URL: it would be kept in access logs. "
                                   "Look a caller's cases up with POST /api/v1/cases/caller-search/ and "
                                   "{\"phone\": \"…\"} in the body.")


Q_PARAMETER = OpenApiParameter(
    "q", str, required=False,
    description="Text: case number, title, description, address. A whole phone number is refused (400, code "
                "`phone_in_url`): it would end up in access logs — look a caller's cases up with "
                "`POST /api/v1/cases/caller-search/`.")


@extend_schema_view(
    list=extend_schema(
        summary="List cases",
        description="The cases the user may see, newest first, filtered and paginated. Reporter data is masked. "
                    "`count` is exact up to 1,000; past that it is 1,000 with `count_exact: false` (the web list's "
                    "\"1,000+\"), and pages go no further than the first 1,000 cases: a later page is a 400 "
                    "(code `too_deep`) — narrow the list down, e.g. with `submitted_before`. A page that "
                    "takes longer than 3 s to find is a 400 too (code `too_slow`).",
        parameters=[Q_PARAMETER],
        responses={200: s.CaseListSerializer(many=True), **error_responses(400, 404)},
    ),
    retrieve=extend_schema(
        summary="One case with its timeline",
        parameters=[CASE_NUMBER],
        responses={200: s.CaseDetailSerializer, **error_responses(404)},
    ),
    create=extend_schema(
        summary="File a case (受理登记)",
        description="JSON, or multipart/form-data with photos in repeated `attachments` parts. The place is "
                    "longitude + latitude (the grid is found from them) or a region id. The answer is the new "
                    "case's detail; with the header `Prefer: return=minimal` only its number and URL.",
        parameters=[OpenApiParameter("Prefer", str, OpenApiParameter.HEADER, required=False,
                                     enum=["return=minimal", "return=representation"]),
                    OpenApiParameter("Idempotency-Key", {"type": "string", "maxLength": IDEMPOTENCY_KEY_MAX},
                                     OpenApiParameter.HEADER, required=False,
                                     description="A retry with the same key and the same report answers 200 "
                                                 "with the case already filed (header Idempotent-Replayed: "
                                                 "true). The same key with a different report is refused: "
                                                 "422, code `idempotency_key_reused`, nothing filed. Ignored "
                                                 "when the body gives an `external_id`.")],
        request={"application/json": s.CaseCreateSerializer, "multipart/form-data": s.CaseCreateSerializer},
        responses={
            201: PolymorphicProxySerializer(
                component_name="CaseCreateAnswer", serializers=[s.CaseDetailSerializer, s.CaseCreatedSerializer],
                resource_type_field_name=None),
            200: PolymorphicProxySerializer(
                component_name="CaseCreateReplayAnswer",
                serializers=[s.CaseDetailSerializer, s.CaseCreatedSerializer], resource_type_field_name=None),
            **error_responses(400, 403, 413),
            409: OpenApiResponse(ErrorSerializer, description="The source and external_id name a case already "
                                                              "filed that this user may not see (code "
                                                              "external_id_taken): nothing filed, nothing shown."),
            422: OpenApiResponse(ErrorSerializer, description="The Idempotency-Key was already used for a "
                                                              "different report (code idempotency_key_reused)."),
        },
    ),
)
class CaseViewSet(viewsets.GenericViewSet):
    """事件 — cases in the user's scope."""

    lookup_field = "number"
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = CaseFilterSet
    ordering_fields = ["submitted_at", "resolve_due_at", "number"]
    ordering = ["-submitted_at", "-pk"]
    parser_classes = PARSERS
    serializer_class = s.CaseListSerializer
    queryset = Case.objects.none()  # for the schema; real reads are scoped in get_queryset
    pagination_class = CappedCountPagination

    def get_queryset(self):
        return (
            selectors.cases_visible_to(self.request.user)
            .select_related("category", "grid", "community", "lead_department")
            .prefetch_related(ASSIGNMENTS)
        )

    def count_list(self, queryset) -> tuple[int, bool]:
        """The list's count for the pagination: the web list's rule (``cases.search.count_list``);
        a count out of time is given as the cap, not exact. (The web list counts every list under
        its time budget; here only a search that walks does, as the page does.)"""
        counted = search.count_list(queryset)
        return (search.COUNT_CAP, False) if counted.value is None else (counted.value, counted.exact)

    def filter_queryset(self, queryset):
        if full_phone(self.request.query_params.get("q", "")):
            raise PhoneInUrl(fields={"q": "phone_in_url"})
        return super().filter_queryset(queryset)

    def list(self, request):
        return self._page_of(request, self.filter_queryset(self.get_queryset()))

    @extend_schema(
        summary="A caller's cases, by phone (来电历史, 查询进度)",
        description="The cases you may see that were reported from the phone in the body, newest first, paged "
                    "and masked as the list is (the list's filters and `page` in the query string; the number "
                    "only in the body, never in a URL). For intake clerks only (403 for others), limited per "
                    "person (429 with Retry-After past it; every request counts one look-up), and logged: one "
                    "access-log entry per case each page shows. The `next`/`previous` links are to be posted "
                    "with the same body.",
        parameters=[Q_PARAMETER],
        request=s.CallerSearchSerializer,
        responses={200: s.CaseListSerializer(many=True), **error_responses(400, 403),
                   429: OpenApiResponse(ErrorSerializer, description="Too many caller look-ups in a short time "
                                                                     "(code too_many_requests); see Retry-After.")},
        operation_id="cases_caller_search",
    )
    def caller_search(self, request):
        """来电历史 over the API: the hotline desk's caller look-up (``actions.caller_cases``: the
        permission, the limit, the refusals logged), its cases paged and logged as the list's are."""
        body = s.CallerSearchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        phone = full_phone(body.validated_data["phone"])
        if not phone:
            raise InvalidInput(_("Give the caller's whole phone number: a mobile, or a landline with its area code."),
                               fields={"phone": "invalid"})
        found = actions.caller_cases(actor=request.user, phone=phone, within=self.filter_queryset(self.get_queryset()),
                                     ip_address=client_ip(request))
        return self._page_of(request, found)

    def _page_of(self, request, queryset):
        if not search.may_read_long(queryset):
            page = self.paginate_queryset(queryset)
        else:
            # The web list's time budget: a page too slow to find is a 400 that says what to do.
            page = search.within_budget(search.ROWS_BUDGET_MS, lambda: self.paginate_queryset(queryset))
        if page is None:
            raise InvalidInput(_("This search takes too long. Narrow it down: add dates, a grid or a category."),
                               fields={"q": "too_slow"})
        caller = actions.caller_lookup_of(queryset)
        if caller:  # a caller look-up (caller-search): the cases given are logged as the web list logs them
            actions.log_caller_lookup(actor=request.user, phone=caller, cases=page, ip_address=client_ip(request))
        return self.get_paginated_response(s.CaseListSerializer(page, many=True, context={"request": request}).data)

    def retrieve(self, request, number: str):
        return Response(detail_data(request, selectors.case_for(request.user, number)))

    def create(self, request):
        serializer = s.CaseCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        key = request.headers.get("Idempotency-Key", "").strip()
        own = f"api:{request.user.pk}"
        if key and not fields.get("external_id"):
            # An API client's retry key is its own: the same key from two clients is two reports.
            fields["source"], fields["idempotency_key"] = own, key
        elif fields.get("external_id") and not fields.get("source") \
                and not channels.api_may_use_source(request.user, fields["channel"]):
            # Without a source the ids would be kept under the channel's name — one of the
            # platform's own namespaces (a WeChat account's, Open311's …): the caller's own instead.
            fields["source"] = own
        case = actions.file_and_dispatch(actor=request.user, **fields)
        if getattr(case, "replayed", False) and not permissions.can_see(request.user, case):
            # The answer to a retry is the case itself: of one the user may not see, that would
            # show it to anyone who can name its (source, external id) — a 12345 order number.
            raise ExternalIdTaken(fields={"external_id": "taken"})
        location = request.build_absolute_uri(f"{case.number}/")
        headers = {"Location": location}
        answer = status.HTTP_201_CREATED
        if getattr(case, "replayed", False):
            # The retry of a report already filed: the same case, not a second one or an error.
            headers["Idempotent-Replayed"] = "true"
            answer = status.HTTP_200_OK
        if "return=minimal" in request.headers.get("Prefer", ""):
            # RFC 7240: bulk intake (hotline systems, imports) skips the full detail.
            headers["Preference-Applied"] = "return=minimal"
            return Response({"number": case.number, "url": location}, status=answer, headers=headers)
        return Response(fresh_detail_data(request, case.pk), status=answer, headers=headers)


# A change is listed once it is this many seconds old: the transaction that wrote an earlier
# ``updated_at`` (set when the row is saved, seen when it commits) has committed by then, so a
# cursor never passes a change still on its way. Intake and actions commit within milliseconds;
# the sweep and a "valid rows only" 12345 import commit in batches of a few hundred rows. A longer
# transaction (an "all or nothing" import of a large file: one transaction, minutes) is waited for
# on PostgreSQL: nothing after its start is listed until it ends (``changes_horizon``) — up to
# CHANGES_LONGEST_WAIT, so that one session left open in a transaction cannot stop the list.
CHANGES_SETTLE_SECONDS = 30
CHANGES_LONGEST_WAIT = dt.timedelta(minutes=30)
# Before every case: where a poll without updated_after or cursor starts.
CHANGES_START = (dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc), 0)
LAST_ID = 2**63 - 1


def changes_settle() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "WANGGE_API_CHANGES_SETTLE_SECONDS", CHANGES_SETTLE_SECONDS))


def changes_horizon() -> dt.datetime:
    """The latest ``updated_at`` a poll may list now: the settle time before now, and before the
    start of the oldest transaction still open on the database (PostgreSQL) — a row it writes
    carries a later time and is seen only when it commits, however long it runs."""
    now = timezone.now()
    horizon = now
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
            oldest = cursor.fetchone()[0]
        if oldest is not None:
            horizon = min(now, max(oldest, now - CHANGES_LONGEST_WAIT))
    return horizon - changes_settle()


def encode_cursor(updated_at: dt.datetime, pk: int) -> str:
    raw = f"{updated_at.astimezone(dt.timezone.utc).isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        text = base64.urlsafe_b64decode(cursor.strip() + "=" * (-len(cursor.strip()) % 4)).decode()
        moment, pk = text.split("|")
        updated_at, pk = dt.datetime.fromisoformat(moment), int(pk)
        if timezone.is_naive(updated_at) or not 0 <= pk <= LAST_ID:
            raise ValueError
        return updated_at, pk
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise InvalidInput(_("This cursor is not one the list of changes gave. Start again with updated_after."),
                           fields={"cursor": "invalid"}) from None


class CaseChangesView(APIView):
    """变更 — the cases in the user's scope that changed after a moment, oldest change first, for a
    linked system (a 12345 hotline) that keeps its copy up to date without re-reading every case."""

    @extend_schema(
        summary="Cases changed since a moment (polling)",
        description="The cases you may see whose own fields changed after `updated_after` — status, light, "
                    "deadlines, handler, result, rating, revisit … (a progress note alone changes no field: "
                    "read the case's timeline for those) — ordered by `updated_at`, then by the case, so a page "
                    "never skips or repeats one. Poll with the `cursor` of the previous answer (keep it "
                    "between polls); a case that changes again is listed again with its new state. A change "
                    "is listed once it is 30 seconds old (a transaction still committing is never passed). "
                    "Each page reads only the changes after the cursor: its cost does not grow with the "
                    "number of cases.",
        parameters=[s.ChangesQuerySerializer],
        responses={200: s.CaseChangesSerializer, **error_responses(400)},
        operation_id="cases_changes",
    )
    def get(self, request):
        query = s.ChangesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        if "cursor" in data:
            after = decode_cursor(data["cursor"])
        elif "updated_after" in data:
            after = (data["updated_after"], LAST_ID)  # every case changed at that moment is before it
        else:
            after = CHANGES_START
        moment, pk = after
        size = data["page_size"]
        changed = (selectors.cases_visible_to(request.user)
                   .filter(updated_at__lte=changes_horizon(), updated_at__gte=moment)
                   .filter(Q(updated_at__gt=moment) | Q(pk__gt=pk)))
        if data.get("source"):
            changed = changed.filter(source=data["source"])
        # From the primary, never a read replica: a replica that lags more than the settle time
        # would let the cursor pass a change it has not replayed yet, and it would never be listed.
        with primary_reads():
            rows = list(changed.select_related("category", "grid", "community", "lead_department")
                        .prefetch_related(ASSIGNMENTS).order_by("updated_at", "pk")[:size + 1])
            more, rows = len(rows) > size, rows[:size]
            results = s.CaseChangeSerializer(rows, many=True, context={"request": request}).data
        cursor = encode_cursor(rows[-1].updated_at, rows[-1].pk) if rows else encode_cursor(moment, pk)
        url = remove_query_param(request.build_absolute_uri(), "updated_after")
        return Response({
            "results": results,
            "cursor": cursor,
            "more": more,
            "next": replace_query_param(url, "cursor", cursor),
        })


class WorkQueueSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="red / amber / green / total")
    cases = s.CaseListSerializer(many=True)
    extensions = s.QueueExtensionSerializer(many=True, help_text="extension requests to decide")
    to_close = serializers.IntegerField(help_text="resolved cases waiting for the callback and closing")


QUEUE_SIZE_MIN, QUEUE_SIZE_MAX, QUEUE_SIZE_DEFAULT = 1, 200, 50


class WorkQueueView(APIView):
    """待办 — what the signed-in user has to do now, red first, then by the nearest deadline."""

    @extend_schema(
        summary="My work queue (待办)",
        parameters=[OpenApiParameter("light", str, OpenApiParameter.QUERY, required=False,
                                     enum=["red", "amber", "green"]),
                    OpenApiParameter("size", {"type": "integer", "minimum": QUEUE_SIZE_MIN,
                                              "maximum": QUEUE_SIZE_MAX, "default": QUEUE_SIZE_DEFAULT},
                                     OpenApiParameter.QUERY, required=False,
                                     description=f"How many cases (and extension requests) to list, "
                                                 f"{QUEUE_SIZE_MIN}–{QUEUE_SIZE_MAX}; any other value is a 400.")],
        responses={200: WorkQueueSerializer, **error_responses(400)},
        operation_id="cases_work_queue",
    )
    def get(self, request):
        light = request.query_params.get("light") or None
        if light not in (None, "red", "amber", "green"):
            raise InvalidInput(_("Choose red, amber or green."), fields={"light": "invalid"})
        raw = request.query_params.get("size", "").strip()
        try:
            size = int(raw) if raw else QUEUE_SIZE_DEFAULT
        except ValueError:
            raise InvalidInput(_("The size must be a number."), fields={"size": "invalid"}) from None
        if not QUEUE_SIZE_MIN <= size <= QUEUE_SIZE_MAX:
            raise InvalidInput(_("Give a size between %(min)d and %(max)d.") % {"min": QUEUE_SIZE_MIN,
                                                                               "max": QUEUE_SIZE_MAX},
                               fields={"size": "out_of_range"})
        queue = selectors.work_queue(request.user, light=light, size=size)
        prefetch_related_objects(queue.rows, ASSIGNMENTS)
        return Response({
            "counts": queue.counts,
            "cases": s.CaseListSerializer(queue.rows, many=True, context={"request": request}).data,
            "extensions": s.QueueExtensionSerializer(queue.extensions, many=True).data,
            "to_close": queue.to_close,
        })


class RevealReporterView(APIView):
    """The reporter's unmasked name and phone — allowed to some roles only, and logged."""

    @extend_schema(
        summary="Reveal the reporter's name and phone (logged)",
        parameters=[CASE_NUMBER],
        request=None,
        responses={200: s.RevealedReporterSerializer, **error_responses(403, 404)},
        operation_id="cases_reveal_reporter",
    )
    def post(self, request, number: str):
        refuse_body(request)
        case = selectors.case_for(request.user, number)
        data = actions.reveal_reporter(case=case, actor=request.user, channel="api", ip_address=client_ip(request))
        return Response(s.RevealedReporterSerializer(data).data)


class AttachmentDownloadView(APIView):
    """A photo or file of a case — only for those who may see the case (media is never public)."""

    @extend_schema(
        summary="Download an attachment of a case",
        parameters=[CASE_NUMBER],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **error_responses(404)},
        operation_id="cases_attachment_download",
    )
    def get(self, request, number: str, attachment_id: int):
        case = selectors.case_for(request.user, number)
        item = case.attachments.filter(pk=attachment_id).first()
        if item is None:
            raise CaseNotFound(_("Attachment not found."))
        return attachment_response(item)


# ---------------------------------------------------------------------------------------------
# One endpoint per action
# ---------------------------------------------------------------------------------------------


def _merge(case, actor, data):
    into = Case.objects.filter(number=data["into"].strip().upper()).first()
    if into is None:
        raise CaseNotFound(_("The case to merge into was not found."), fields={"into": "not_found"})
    return actions.merge_case(case=case, into=into, actor=actor, note=data["note"])


def _target(data: dict) -> actions.Target:
    return actions.Target(department=data["department"], user=data["user"], region=data["region"])


def _dispatch(fn):
    def run(case, actor, data):
        return fn(case=case, actor=actor, lead=_target(data["lead"]),
                  co_handlers=[_target(t) for t in data["co_handlers"]], note=data["note"])
    return run


def _plain(fn):
    """An action whose keyword arguments are the serializer's fields, as they are."""
    return lambda case, actor, data: fn(case=case, actor=actor, **data)


# How the API's input maps onto an action's keyword arguments, where it is not one to one.
INPUT_ADAPTERS = {"dispatch": _dispatch, "redispatch": _dispatch}


def _runner(spec: CaseActionType) -> Callable:
    if spec.name == "merge":
        return _merge
    adapter = INPUT_ADAPTERS.get(spec.name, _plain)
    return lambda case, actor, data: adapter(spec.run)(case, actor, data)


# One endpoint per registered action that has an API input (the registry: cases.registry).
CASE_ACTIONS = [spec for spec in case_actions.values() if spec.serializer]


def refuse_early(user, action: str, case: Case) -> None:
    """Refuse a forbidden (403) or wrong-state (400 invalid_state) request before looking at its
    input, in the order the action itself checks. Read-only: the action checks again on the
    locked row, and that check is the one that counts."""
    permissions.require(user, action, case)
    check_transition(action, case.status)


class CaseActionView(APIView):
    """Base of the action endpoints: find the case in scope, check the input, call the action."""

    parser_classes = PARSERS
    spec: CaseActionType

    def post(self, request, number: str):
        case = selectors.case_for(request.user, number)
        refuse_early(request.user, self.spec.name, case)
        serializer = self.spec.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        _runner(self.spec)(case, request.user, serializer.validated_data)
        return Response(fresh_detail_data(request, case.pk))


def action_view(spec: CaseActionType) -> type[CaseActionView]:
    """A documented view class for one action."""
    op = spec.name
    media = ["application/json", "multipart/form-data"] if spec.multipart else ["application/json"]

    class View(CaseActionView):
        @extend_schema(
            summary=spec.summary,
            operation_id=f"cases_{op}",
            tags=["case actions"],
            parameters=[CASE_NUMBER],
            request={m: spec.serializer_class for m in media},
            responses={200: s.CaseDetailSerializer, **error_responses(400, 403, 404)},
        )
        def post(self, request, number: str):
            return super().post(request, number)

    View.spec = spec
    View.__name__ = View.__qualname__ = f"Case{op.title().replace('_', '')}View"
    return View


ACTION_VIEWS = [(spec, action_view(spec)) for spec in CASE_ACTIONS]


class ExtensionDecisionView(APIView):
    """审批延期 — approve or deny a pending extension request of a case."""

    approve: bool

    def post(self, request, number: str, extension_id: int):
        case = selectors.case_for(request.user, number)
        refuse_early(request.user, "decide_extension", case)
        extension = ExtensionRequest.objects.filter(pk=extension_id, case=case).first()
        if extension is None:
            raise CaseNotFound(_("Extension request not found."))
        serializer = s.NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.decide_extension(request=extension, actor=request.user, approve=self.approve,
                                 note=serializer.validated_data["note"])
        return Response(fresh_detail_data(request, case.pk))


def extension_view(approve: bool) -> type[ExtensionDecisionView]:
    word = "approve" if approve else "deny"

    class View(ExtensionDecisionView):
        @extend_schema(
            summary=f"审批延期 — {word} an extension request",
            operation_id=f"cases_extension_{word}",
            tags=["case actions"],
            parameters=[CASE_NUMBER, OpenApiParameter("extension_id", int, OpenApiParameter.PATH,
                                                      description="Extension request id (see extension_requests)")],
            request=s.NoteSerializer,
            responses={200: s.CaseDetailSerializer, **error_responses(400, 403, 404)},
        )
        def post(self, request, number: str, extension_id: int):
            return super().post(request, number, extension_id)

    View.approve = approve
    View.__name__ = View.__qualname__ = f"Extension{word.title()}View"
    return View


# ---------------------------------------------------------------------------------------------
# Reference data: categories and deadline policies
# ---------------------------------------------------------------------------------------------


class CategoryTreeView(APIView):
    """事件分类 — the whole category tree (one query), with each node's defaults."""

    @extend_schema(
        summary="Category tree",
        parameters=[OpenApiParameter("include_inactive", bool, description="Also list categories no longer in use.")],
        responses={200: s.CategorySerializer(many=True), **error_responses()},
    )
    def get(self, request):
        include_inactive = request.query_params.get("include_inactive", "").lower() in ("1", "true", "yes")
        nodes = list(Category.objects.select_related("default_department", "sla_policy").order_by("path"))
        by_path = {c.path: c for c in nodes}
        default = SlaPolicy.objects.filter(is_default=True).first()
        step = Category.steplen

        def effective_policy(category):
            path = category.path
            while path:
                node = by_path.get(path)
                if node is not None and node.sla_policy_id:
                    return node.sla_policy
                path = path[:-step]
            return default

        children: dict[str, list] = {}
        roots = []
        for c in nodes:
            if not (c.is_active or include_inactive):
                continue
            if c.depth == 1:
                roots.append(c)
            else:
                children.setdefault(c.path[:-step], []).append(c)
        context = {"request": request, "children": children, "effective_policy": effective_policy}
        return Response(s.CategorySerializer(roots, many=True, context=context).data)


@extend_schema(summary="Deadline policies", responses={200: s.SlaPolicySerializer(many=True), **error_responses()})
class SlaPolicyListView(generics.ListAPIView):
    """时限规则 — the deadline policies."""

    serializer_class = s.SlaPolicySerializer
    queryset = SlaPolicy.objects.order_by("name")
    pagination_class = None
    filter_backends: list = []
