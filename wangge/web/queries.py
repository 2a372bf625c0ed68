"""Reads the workbench pages need beyond ``cases.selectors``: the personal queue (待办), keyset
pagination of the case list, and the look-ups of the hotline form. All scoped by the user."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from wangge.cases import search
from wangge.cases.models import Case, CaseEvent, Category

# 待办 lives in ``cases.selectors`` (the API serves it too); the names stay importable here.
from wangge.cases.selectors import (
    CLOSE_COUNT_CAP,
    Queue,
    cases_visible_to,
    light_counts,
    work_queue,
)
from wangge.notifications.models import NotificationKind
from wangge.notifications.selectors import unread_subject_ids
from wangge.org.models import Region
from wangge.org.scope import Scope

my_queue = work_queue
__all__ = ["CLOSE_COUNT_CAP", "Queue", "light_counts", "my_queue"]  # re-exported for the views and tests


def territory_choices(user, level: str) -> QuerySet[Region]:
    """The places of ``level`` (sub-district, community, grid) the case list offers ``user`` as
    filters: those their territory reaches — inside it, or above it (a grid worker's own
    community) — and, for a department officer, inside the territory their department serves.
    Choosing another is not refused (the list is then empty, as for a place of theirs with no
    cases); it is only not offered. A superuser is offered every place."""
    places = Region.objects.filter(level=level).defer("boundary").order_by("path")
    scope = Scope.of(user)
    if scope.everything:
        return places
    reach = list(scope.all_regions())
    if scope.departments:
        reach += Region.objects.filter(departments__in=scope.departments).only("path", "level").distinct()
    q = Q(pk__in=[])
    for region in reach:
        ancestors = [region.path[:end] for end in range(Region.steplen, len(region.path), Region.steplen)]
        q |= Q(path__startswith=region.path) | Q(path__in=ancestors)
    return places.filter(q)


def new_assignment_case_ids(user) -> set[int]:
    """Cases of the user's unread 'new assignment' notifications (highlighted in the queue)."""
    return unread_subject_ids(user=user, kind=NotificationKind.ASSIGNED, model=Case)


# --------------------------------------------------------------------------------------------
# Keyset pagination of the case list: (submitted_at, pk) descending, no OFFSET, capped count.
# --------------------------------------------------------------------------------------------

# The count rule and its time budget are the case list's, shared with the API (cases.search):
# exact up to the cap, past it "more than", out of time "many".
COUNT_CAP = search.COUNT_CAP
COUNT_BUDGET_MS = search.COUNT_BUDGET_MS
# Server-time budget (PostgreSQL) for the list's rows: past it the page asks to narrow the
# search instead of keeping the clerk waiting.
ROWS_BUDGET_MS = search.ROWS_BUDGET_MS
within_budget = search.within_budget


def encode_cursor(case: Case) -> str:
    raw = f"{case.submitted_at.isoformat()}|{case.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CURSOR_EARLIEST, CURSOR_LATEST = 2000, 2100  # the years a case list cursor can name


def decode_cursor(token: str | None) -> tuple[dt.datetime, int] | None:
    """(submitted_at, pk) or None for a missing or tampered cursor (never an error)."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        stamp, pk = raw.split("|")
        moment = dt.datetime.fromisoformat(stamp)
        pk = int(pk)
        # Out of any real range (year 1, a 20-digit id): tampered — and a database error if used.
        if timezone.is_naive(moment) or not (CURSOR_EARLIEST <= moment.year <= CURSOR_LATEST) or not 0 < pk < 2**63:
            return None
        return moment, pk
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


@dataclass
class Page:
    rows: list[Case]
    next_cursor: str | None
    prev_cursor: str | None
    count: int | None  # None: not counted in time ("many"); capped: more than this
    count_capped: bool
    timed_out: bool = False


def keyset_page(queryset: QuerySet[Case], *, after: str | None, before: str | None, size: int = 50) -> Page:
    """One page newest first. ``after`` pages forward (older), ``before`` back (newer)."""
    forward = decode_cursor(after)
    backward = decode_cursor(before) if forward is None else None

    def fetch():
        if backward is not None:
            at, pk = backward
            # The redundant bound is the index's: without it the walk starts at the newest case.
            chunk = list(
                queryset.filter(Q(submitted_at__gte=at), Q(submitted_at__gt=at) | Q(submitted_at=at, pk__gt=pk))
                .order_by("submitted_at", "pk")[: size + 1]
            )
            return list(reversed(chunk[:size])), True, len(chunk) > size
        newest_first = queryset.order_by("-submitted_at", "-pk")
        if forward is not None:
            at, pk = forward
            newest_first = newest_first.filter(Q(submitted_at__lte=at),
                                               Q(submitted_at__lt=at) | Q(submitted_at=at, pk__lt=pk))
        chunk = list(newest_first[: size + 1])
        return chunk[:size], len(chunk) > size, forward is not None

    fetched = within_budget(ROWS_BUDGET_MS, fetch)
    if fetched is None:
        return Page(rows=[], next_cursor=None, prev_cursor=None, count=None, count_capped=False, timed_out=True)
    rows, has_older, has_newer = fetched
    counted = search.count_list(queryset, cap=COUNT_CAP, budget_ms=COUNT_BUDGET_MS, budget=within_budget)
    return Page(
        rows=rows,
        next_cursor=encode_cursor(rows[-1]) if rows and has_older else None,
        prev_cursor=encode_cursor(rows[0]) if rows and has_newer else None,
        count=counted.value,
        count_capped=counted.capped,
    )


# --------------------------------------------------------------------------------------------
# Hotline intake look-ups
# --------------------------------------------------------------------------------------------


def similar_open_cases(user, *, grid_id: int | None, category: Category | None, description: str = "",
                       longitude=None, latitude=None, limit: int = 8, threshold: float | None = None):
    """Earlier cases near the place that may be the same problem, scored by the duplicate
    finder (疑似重复: distance, text, category family, time): ``Match`` rows, best first.
    ``threshold``: the least score (default: the finder's wider net shown while filing)."""
    from wangge.intake.duplicates.selectors import find_matches

    if not grid_id and longitude is None:
        return []
    return find_matches(text=description, category_id=category.pk if category else None, longitude=longitude,
                        latitude=latitude, grid_id=grid_id, base=cases_visible_to(user), limit=limit,
                        threshold=threshold)


def likely_duplicates(user, *, grid_id: int | None, category: Category | None, description: str = "",
                      longitude=None, latitude=None, limit: int = 5):
    """The earlier cases a report about to be filed would be stored as a possible duplicate of
    once filed (the finder's own bar for a candidate to check, ``store_threshold``): filing it
    next to one of them is asked first (hotline intake)."""
    from wangge.intake.duplicates.selectors import store_threshold

    return similar_open_cases(user, grid_id=grid_id, category=category, description=description,
                              longitude=longitude, latitude=latitude, limit=limit, threshold=store_threshold())


def suggest_categories(description: str, *, limit: int = 3) -> list[Category]:
    """Categories for the description: keyword table + trained classifier (分类建议)."""
    from wangge.intake.duplicates.suggestions import suggest_categories as suggest

    return suggest(description, limit=limit)


def timeline_version(case: Case) -> int | None:
    """The version of a case a page shows: the id of its latest timeline entry (entries are
    appended under the case's row lock, so a later one has a larger id)."""
    return CaseEvent.objects.filter(case=case).order_by("-pk").values_list("pk", flat=True).first()


def change_since(case: Case, version: int) -> CaseEvent | None:
    """The latest timeline entry of ``case`` after ``version`` (what a page showed), with its
    actor; None: nothing happened to the case since."""
    return CaseEvent.objects.filter(case=case, pk__gt=version).select_related("actor").order_by("-pk").first()
