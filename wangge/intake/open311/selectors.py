"""The Open311 interface's reads. Everything here is public (the spec's GET calls need no key),
so only public fields leave: never a reporter's name, phone or the staff who handled a case."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from wangge.cases.choices import CaseStatus, EventType
from wangge.cases.models import Case, CaseEvent, Category

from .models import Open311Client, Open311Request, ServiceAttribute

OPEN = [CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS,
        CaseStatus.SUSPENDED]
CLOSED = [CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.MERGED]

# The timeline entries a client is told about (servicerequestupdates): the public steps of a
# case's life. Internal ones (lights, classification, check-ins, staff views) never leave.
UPDATE_TYPES = [
    EventType.CREATED, EventType.ACCEPTED, EventType.REJECTED, EventType.DISPATCHED, EventType.CLAIMED,
    EventType.RETURNED, EventType.PROGRESS, EventType.EXTENSION_APPROVED, EventType.SUSPENDED,
    EventType.RESUMED, EventType.RESOLVED, EventType.ESCALATED, EventType.REVISITED, EventType.RATED,
    EventType.REOPENED, EventType.CLOSED, EventType.MERGED,
]


def client_by_key_hash(key_hash: str) -> Open311Client | None:
    return Open311Client.objects.select_related("default_region").filter(key_hash=key_hash).first()


def services() -> list[tuple[Category, str | None, bool]]:
    """(category, group, has attributes) for every active category, in tree order. The group is
    the top-level category a service sits under."""
    categories = list(Category.objects.filter(is_active=True).order_by("path"))
    roots = {c.path: c.name for c in categories if c.depth == 1}
    with_attributes = set(ServiceAttribute.objects.filter(is_active=True).values_list("category_id", flat=True))
    return [(c, roots.get(c.path[: c.steplen]) if c.depth > 1 else c.name, c.pk in with_attributes)
            for c in categories]


def service(code: str) -> Category | None:
    return Category.objects.filter(code=code, is_active=True).first()


def attributes_of(category: Category) -> list[ServiceAttribute]:
    return list(ServiceAttribute.objects.filter(category=category, is_active=True).order_by("order", "pk"))


def _public_cases():
    last_public = CaseEvent.objects.filter(case=OuterRef("pk"), public=True, type__in=UPDATE_TYPES) \
        .order_by("-created_at", "-pk").values("created_at")[:1]
    # Only what came in through Open311 is published: a resident who phoned the hotline or wrote
    # to the WeChat account did not agree to have their words on a public feed.
    return (Case.objects.filter(open311__isnull=False)
            .select_related("category", "lead_department", "merged_into", "open311")
            .annotate(public_updated_at=Subquery(last_public)))


def requests(query) -> list[Case]:
    """GET Service Requests: by ids (other filters then ignored, as the spec says) or by window,
    service codes and status; newest first, one page."""
    cases = _public_cases()
    if query.ids:
        cases = cases.filter(number__in=query.ids)
    else:
        cases = cases.filter(submitted_at__gte=query.start, submitted_at__lte=query.end)
        if query.codes:
            cases = cases.filter(category__code__in=query.codes)
        if query.statuses:
            wanted = [*(OPEN if "open" in query.statuses else []), *(CLOSED if "closed" in query.statuses else [])]
            cases = cases.filter(status__in=wanted)
    first = (query.page - 1) * query.page_size
    return _with_reasons(list(cases.order_by("-submitted_at", "-pk")[first:first + query.page_size]))


def request_by_id(number: str) -> Case | None:
    return next(iter(_with_reasons(list(_public_cases().filter(number=number)[:1]))), None)


def _with_reasons(cases: list[Case]) -> list[Case]:
    """Attach the public reason of each rejected case (one query for the page)."""
    rejected = [c.pk for c in cases if c.status == CaseStatus.REJECTED]
    reasons = {}
    if rejected:
        for case_id, note in (CaseEvent.objects.filter(case_id__in=rejected, type=EventType.REJECTED, public=True)
                              .order_by("created_at", "pk").values_list("case_id", "note")):
            reasons[case_id] = note
    for case in cases:
        case.public_reason = reasons.get(case.pk, "")
    return cases


def tokens(token: str) -> list[Open311Request]:
    """Every request filed under ``token`` (tokens are unique per client app, so two apps may
    have chosen the same one: the spec's answer is a list)."""
    return list(Open311Request.objects.select_related("case").filter(token=token).order_by("pk"))


def updates(query) -> list[CaseEvent]:
    """servicerequestupdates: public steps, oldest first, one page — of reports filed through
    Open311 only, as for the requests themselves (``_public_cases``)."""
    events = CaseEvent.objects.select_related("case").filter(public=True, type__in=UPDATE_TYPES,
                                                             case__open311__isnull=False)
    if query.ids:
        events = events.filter(case__number__in=query.ids)
    if query.start:
        events = events.filter(created_at__gte=query.start)
    if query.end:
        events = events.filter(created_at__lte=query.end)
    first = (query.page - 1) * query.page_size
    return list(events.order_by("created_at", "pk")[first:first + query.page_size])
