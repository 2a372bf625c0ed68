"""Reads of the role desks (``desks.py``): each scoped by the user through ``cases.selectors`` and
``org.scope``. Small lists (the most urgent first) and counts in one aggregate each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from wangge.cases.choices import OPEN_STATUSES, AssignmentRole, CaseStatus, Light
from wangge.cases.models import Case, CaseAssignment
from wangge.cases.selectors import (
    URGENT_FIRST,
    cases_visible_to,
    led_by_departments,
    light_counts,
    ordered_page,
    with_handlers,
)
from wangge.org.scope import FIELD_ROLES, Scope, region_q

from .desks import DESK_ROLES, Desk

LIST_SIZE = 30
CARD_RELATED = ("category", "grid", "community", "lead_department")
DUE_SOON = dt.timedelta(hours=24)


def _urgent_first(qs: QuerySet[Case], size: int = LIST_SIZE) -> list[Case]:
    """Red first, then the nearest deadline; with the lead handler of each."""
    return with_handlers(ordered_page(qs, URGENT_FIRST, size=size, related=CARD_RELATED))


def _territory_q(regions) -> Q:
    q = Q(pk__in=[])
    for region in regions:
        q |= region_q(region)
    return q


# ---------------------------------------------------------------------------------------------
# 网格员 — the field page
# ---------------------------------------------------------------------------------------------


@dataclass
class FieldDesk:
    grids: list
    rows: list[Case]
    counts: dict


def field_desk(user) -> FieldDesk:
    """The open cases of the user's grids, the most urgent first."""
    grids = Scope.of(user).regions_for(FIELD_ROLES)
    qs = cases_visible_to(user).filter(_territory_q(grids), status__in=OPEN_STATUSES)
    return FieldDesk(grids=grids, rows=_urgent_first(qs), counts=light_counts(qs))


# ---------------------------------------------------------------------------------------------
# 部门 — the department's queue
# ---------------------------------------------------------------------------------------------


IN_HAND_PAGE = 20
# 在办 — claimed and not yet resolved: working on it, or paused (挂起) waiting for something.
IN_HAND_STATUSES = [CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED]


@dataclass
class DepartmentDesk:
    to_claim: list[Case]
    due_soon: list[Case]
    sent_back: list[Case]
    cohandling: list[Case]
    in_hand: list[Case] = field(default_factory=list)
    in_hand_page: int = 1
    in_hand_pages: int = 1
    counts: dict = field(default_factory=dict)


def _nearest_deadline_first(qs: QuerySet[Case], *, page: int, size: int) -> list[Case]:
    """One page of ``qs``, the nearest deadline first (overdue ones, the most overdue, on top)."""
    return ordered_page(qs, (F("due").asc(nulls_last=True), "pk"), start=(page - 1) * size, size=size,
                        related=CARD_RELATED)


def department_desk(user, *, in_hand_page: int = 1) -> DepartmentDesk:
    """To claim (dispatched, nobody started), in hand (claimed, not yet resolved: nearest deadline
    first, a page at a time), due soon (amber / red or within a day), sent back (reopened after the
    resident was not satisfied), and whistles to answer (co-handling)."""
    departments = sorted(Scope.of(user).departments)
    co = CaseAssignment.objects.filter(department_id__in=departments, active=True).exclude(role=AssignmentRole.LEAD)
    handling = [CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS]
    # Led: from the cases' own columns (its held cases only, not every case it ever led).
    led, assisted = led_by_departments(departments), Q(pk__in=co.values("case_id"))
    soon = timezone.now() + DUE_SOON
    q_working = led & Q(status__in=handling)
    q_to_claim = q_working & Q(status=CaseStatus.DISPATCHED)
    q_due_soon = q_working & (Q(light__in=[Light.AMBER, Light.RED]) | Q(resolve_due_at__lte=soon))
    q_sent_back = q_working & Q(reopen_count__gt=0)
    q_cohandling = assisted & Q(status__in=handling)
    q_in_hand = led & Q(status__in=IN_HAND_STATUSES)
    # The led cases' counts in one aggregate, the co-handled in another: the page's queries do not
    # grow with its lists, and neither reads what the other needs.
    counts = Case.objects.filter(led).aggregate(
        working=Count("pk", filter=q_working), to_claim=Count("pk", filter=q_to_claim),
        due_soon=Count("pk", filter=q_due_soon), sent_back=Count("pk", filter=q_sent_back),
        in_hand=Count("pk", filter=q_in_hand),
    )
    counts["cohandling"] = Case.objects.filter(q_cohandling).count()
    pages = max(1, -(-counts["in_hand"] // IN_HAND_PAGE))
    in_hand_page = min(max(1, in_hand_page), pages)
    return DepartmentDesk(
        to_claim=_urgent_first(Case.objects.filter(q_to_claim)),
        due_soon=_urgent_first(Case.objects.filter(q_due_soon)),
        sent_back=_urgent_first(Case.objects.filter(q_sent_back)),
        cohandling=_urgent_first(Case.objects.filter(q_cohandling), 10),
        in_hand=_nearest_deadline_first(Case.objects.filter(q_in_hand), page=in_hand_page, size=IN_HAND_PAGE),
        in_hand_page=in_hand_page, in_hand_pages=pages, counts=counts,
    )


# ---------------------------------------------------------------------------------------------
# 社区书记 — the community ledger
# ---------------------------------------------------------------------------------------------


@dataclass
class CommunityDesk:
    communities: list
    rows: list[Case]
    by_status: list[dict]
    counts: dict
    total: int


def community_desk(user, *, light: str | None = None, status: str | None = None) -> CommunityDesk:
    """台账 — the open cases of the user's communities (or whatever territory their role names),
    counts by status and light, the most urgent first."""
    regions = Scope.of(user).regions_for(DESK_ROLES[Desk.COMMUNITY])
    qs = cases_visible_to(user).filter(_territory_q(regions), status__in=[*OPEN_STATUSES, CaseStatus.RESOLVED])
    # COUNT(*), not of the ids: read from the (community, status) index alone — counting ids read
    # a table page per case, 294 ms for a community's 45,000 open and resolved cases at 10,000,000.
    grouped = dict(qs.order_by().values_list("status").annotate(n=Count("*")).values_list("status", "n"))
    by_status = [{"status": s, "label": CaseStatus(s).label, "count": grouped.get(s, 0)}
                 for s in [*OPEN_STATUSES, CaseStatus.RESOLVED]]
    open_qs = qs.filter(status__in=OPEN_STATUSES)
    shown = qs
    if status in grouped:
        shown = shown.filter(status=status)
    else:
        shown = open_qs
    if light in (Light.RED, Light.AMBER, Light.GREEN):
        shown = shown.filter(light=light)
    return CommunityDesk(communities=regions, rows=_urgent_first(shown, 100), by_status=by_status,
                         counts=light_counts(open_qs), total=sum(grouped.values()))


# ---------------------------------------------------------------------------------------------
# 领导 — the overview
# ---------------------------------------------------------------------------------------------


def leader_overview(user, size: int = 10) -> dict:
    """The leader's overview: this month's figures, 全部在办 and 督办 (its number and its ``size``
    longest overdue cases) — the dashboard's: its rollups (built the first time, as the dashboard
    does) and its overdue list, read in order from its own index. Counting and sorting every open
    case took 300 of the page's 446 ms at 1,000,000 cases."""
    from wangge.dashboard import selectors as figures
    from wangge.dashboard.tasks import ensure_fresh

    ensure_fresh()
    sel = figures.Selection(user=user, period=figures.make_period(None))
    overdue, overdue_total = figures.overdue_cases(sel, limit=size)
    for case in overdue:
        case.due = case.due_at
    return {"summary": figures.summary(sel), "period": sel.period, "open_now": figures.standing_total(sel, "open"),
            "overdue": overdue, "overdue_total": overdue_total}
