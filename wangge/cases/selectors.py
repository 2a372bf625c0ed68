"""Scoped reads of cases: every list and lookup goes through these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case as Switch
from django.db.models import Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from wangge.residents.masking import mask_name, mask_phone  # noqa: F401 — the masks, written once
from wangge.workdays.calendar import WorkdayCalendar, load_calendar

from . import permissions, sla
from .choices import STAGE_OF_STATUS, AssignmentRole, CaseStatus, DurationUnit, ExtensionStatus, Light, Stage
from .errors import CaseNotFound
from .models import Case, CaseAssignment, ExtensionRequest


def cases_visible_to(user) -> QuerySet[Case]:
    """The cases ``user`` may see (none for anonymous users)."""
    qs = Case.objects.all()
    if user is None or not getattr(user, "is_authenticated", False):
        return qs.none()
    q = permissions.visible_q(user)
    return qs if q is None else qs.filter(q)


# What a case's page and its API detail show of its relations, read with the case.
CASE_DETAIL_RELATED = ("category", "region", "grid", "community", "subdistrict", "sla_policy", "merged_into",
                       "lead_department")


def case_for(user, number: str) -> Case:
    """One case by number, or CaseNotFound — also when it exists but is outside the user's scope."""
    try:
        return cases_visible_to(user).select_related(*CASE_DETAIL_RELATED).get(number=number)
    except Case.DoesNotExist:
        raise CaseNotFound() from None


def available_actions(user, case: Case) -> list[str]:
    """The actions ``user`` may take on ``case`` now (for buttons and the API)."""
    from .registry import allowed_actions

    return [a for a in allowed_actions(case.status) if may_take(user, a, case)]


def may_take(user, action: str, case: Case) -> bool:
    """May ``user`` take ``action`` on ``case`` now: its status allows it, their role and
    jurisdiction do, and nothing blocks it yet? A button offered only where this holds never
    answers "you may not"."""
    from .registry import blocker, case_actions

    return (case.status in case_actions[action].transition.sources and permissions.can(user, action, case)
            and not blocker(action, case))


def blocked_actions(user, case: Case) -> list[tuple[str, str]]:
    """``[(action, why)]``: the actions ``user`` could take in this status but not on this case
    yet (a close before the revisit) — shown greyed out, with the reason, beside the others."""
    from .registry import allowed_actions, blocker

    rows = []
    for action in allowed_actions(case.status):
        if permissions.can(user, action, case):
            reason = blocker(action, case)
            if reason:
                rows.append((action, reason))
    return rows


def cases_for_resident(number: str, phone_last4: str) -> Case | None:
    """A case a resident may track: its number plus the last 4 digits of the phone they gave."""
    case = Case.objects.filter(number=(number or "").strip().upper()).first()
    if case is None or not phone_last4 or case.reporter_phone_last4 != phone_last4.strip():
        return None
    return case


def stage_deadlines(case: Case, now) -> list[dict]:
    """Each stage's deadline with its state (running / paused / done / waiting / stopped), live
    light and time left — for the API and the case page alike. ``light`` is the live light of
    the running stage only; ``badge`` is the colour a page shows for every stage (a done stage:
    green when met, red when late)."""
    completed = {Stage.ACCEPT: case.accepted_at, Stage.DISPATCH: case.dispatched_at, Stage.RESOLVE: case.resolved_at}
    running = case.current_stage
    paused = None
    if case.status == CaseStatus.SUSPENDED and case.suspended_from:
        # The stage that was running when the case was suspended (an unsaved copy answers it).
        paused = Case(status=case.suspended_from).current_stage
    finished = case.status in (CaseStatus.REJECTED, CaseStatus.MERGED)
    rows = []
    for stage in sla.STAGES:
        due = getattr(case, f"{stage}_due_at")
        row = {"stage": stage, "stage_label": Stage(stage).label, "due_at": due, "light": None,
               "time_left_seconds": None, "completed_at": None, "on_time": None,
               "provisional": case.deadline_provisional and stage == Stage.RESOLVE}
        if stage == running:
            row["state"] = "running"
            row["light"] = sla.light_at(now, case.clock_started_at, due, case.sla_policy.amber_ratio)
            row["time_left_seconds"] = int((due - now).total_seconds())
        elif stage == paused:
            row["state"] = "paused"
            row["time_left_seconds"] = int((due - case.suspended_at).total_seconds())
        elif completed[stage] is not None:
            row["state"] = "done"
            row["completed_at"] = completed[stage]
            row["on_time"] = completed[stage] <= due
        else:
            row["state"] = "stopped" if finished or case.status == CaseStatus.CLOSED else "waiting"
        row["current"] = row["state"] == "running"
        row["badge"] = row["light"] or (
            (Light.GREEN if row["on_time"] else Light.RED) if row["on_time"] is not None else Light.NONE)
        rows.append(row)
    return rows


@dataclass(frozen=True)
class ExtensionDeadlines:
    """延期后时限 — the resolve deadline a waiting extension request would move, and where to."""

    current: dt.datetime
    if_granted: dt.datetime
    provisional: bool  # the new deadline falls in a year whose working-day calendar is not loaded


def extended_resolve_due(case: Case, working_days: int, calendar: WorkdayCalendar | None = None) -> sla.Deadline:
    """The resolve deadline of ``case`` moved by ``working_days`` on the working-day calendar: what
    approving an extension sets (decide_extension calls it) and what the decision shows beforehand."""
    return sla.add_duration(case.resolve_due_at, working_days, DurationUnit.WORKING_DAYS,
                            calendar or load_calendar())


def extension_deadlines(request: ExtensionRequest, calendar: WorkdayCalendar | None = None) -> ExtensionDeadlines | None:
    """For a request waiting for its decision: the case's resolve deadline now and the one granting
    it now would set; None once it is decided (the timeline records what moved)."""
    if request.status != ExtensionStatus.PENDING:
        return None
    extended = extended_resolve_due(request.case, request.working_days, calendar)
    return ExtensionDeadlines(current=request.case.resolve_due_at, if_granted=extended.at,
                              provisional=extended.provisional)


# ---------------------------------------------------------------------------------------------
# 待办 — the work queue ("waiting for me"), for the workbench and the API (a phone app)
# ---------------------------------------------------------------------------------------------

LIGHT_RANK = Switch(
    When(light=Light.RED, then=Value(0)),
    When(light=Light.AMBER, then=Value(1)),
    When(light=Light.GREEN, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
# The running stage's deadline, in SQL (from the one status → stage map).
CURRENT_DUE = Switch(
    *[When(status=status, then=F(f"{stage}_due_at")) for status, stage in STAGE_OF_STATUS.items()],
    default=None,
)
DISPATCHER_TODO = [CaseStatus.SUBMITTED, CaseStatus.ACCEPTED]
HANDLER_TODO = [CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS]
CLOSE_COUNT_CAP = 999
#: In its lead handler's hands (承办中): dispatched, in progress, or suspended (挂起 is only
#: allowed from the first two, and keeps the lead).
HELD_STATUSES = [CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED]


def led_by_departments(departments) -> Q:
    """The cases whose lead (承办) is now one of ``departments``, read from the case's own columns.

    In a held status a case has exactly one active lead assignment, and its ``lead_department``
    is that assignment's department: ``_start_lead`` writes both; return (退回), escalation (上报)
    and claiming an accepted case end or replace the lead and leave or enter the held statuses
    with it (``test_lead_department``). The assignments cannot answer this cheaply: closing keeps
    a case's lead assignment active, so a department's active lead assignments are every case it
    ever led — its desk read them all (4.7 s at 1,000,000 cases). The partial index
    ``case_held_by_department`` holds the held cases only."""
    return Q(lead_department_id__in=list(departments), status__in=HELD_STATUSES)


def _dispatcher_territory(user) -> Q | None:
    """The cases of the territory ``user`` dispatches for (受理/派单); None if none at all."""
    scope = permissions.Scope.of(user)
    if scope.everything:
        return Q()
    regions = scope.regions_for(permissions.DISPATCHER_ROLES)
    if not regions:
        return None
    territory = Q(pk__in=[])
    for region in regions:
        territory |= permissions.region_q(region)
    return territory


def _queue_parts(user) -> list[QuerySet[Case]]:
    """The parts of the queue (待办). They do not overlap, so each is sorted and counted on its
    own indexes and the parts are merged: an OR of them would scan far more.

    - as a dispatcher (受理员, 社区书记, 领导…): submitted and accepted cases of their territory;
    - as a handler (承办人): dispatched / in-progress cases their department leads, and those
      assigned to them, to their department as a co-handler or to exactly their community / grid
      (not every grid below them: that is their territory's work, not theirs)."""
    scope = permissions.Scope.of(user)
    parts = []
    territory = _dispatcher_territory(user)
    if territory is not None:
        parts.append(Case.objects.filter(territory, status__in=DISPATCHER_TODO))
    held = Q(user=user)
    departments = sorted(scope.departments)
    if departments:
        # Their departments' leads from the cases' own columns (``led_by_departments``); from
        # the assignments only their co-handling (协办), which has its own partial index.
        parts.append(Case.objects.filter(led_by_departments(departments), status__in=HANDLER_TODO))
        held |= Q(department_id__in=departments) & ~Q(role=AssignmentRole.LEAD)
    region_ids = [r.pk for r in scope.all_regions()]
    if region_ids:
        held |= Q(region_id__in=region_ids)
    assigned = CaseAssignment.objects.filter(held, active=True).values("case_id")
    handed = Case.objects.filter(status__in=HANDLER_TODO, pk__in=assigned)
    if departments:
        handed = handed.exclude(lead_department_id__in=departments)  # the part above has them
    parts.append(handed)
    return parts


def ordered_page(qs: QuerySet[Case], order: tuple, *, start: int = 0, size: int,
                 related: tuple = ("category", "grid", "community"), annotations: dict | None = None) -> list[Case]:
    """One page of ``qs`` in ``order`` (over ``annotations``: by default ``light_rank`` and
    ``due``), read in two steps: the page's ids — from an index alone where one covers the filter
    and the order, as ``case_held_by_department`` does a department's held cases — then those
    cases with ``related`` and the annotations. Sorting whole rows read a table page per case:
    11–118 ms a list for a department's 2,000 held cases at 1,000,000, ten times that at
    10,000,000."""
    annotations = annotations or {"light_rank": LIGHT_RANK, "due": CURRENT_DUE}
    ids = list(qs.annotate(**annotations).order_by(*order).values_list("pk", flat=True)[start:start + size])
    if not ids:
        return []
    rows = Case.objects.filter(pk__in=ids).annotate(**annotations).select_related(*related).in_bulk()
    return [rows[pk] for pk in ids if pk in rows]


def with_handlers(rows: list[Case]) -> list[Case]:
    """``rows`` with ``handler``: the target of each one's active lead assignment (a department,
    a territory or a person), or None — one query for the page."""
    leads = {a.case_id: a for a in CaseAssignment.objects.filter(
        case__in=rows, active=True, role=AssignmentRole.LEAD).select_related("department", "region", "user")}
    for case in rows:
        case.handler = leads[case.pk].target if case.pk in leads else None
    return rows


#: 待办's order: red first, then the nearest deadline.
URGENT_FIRST = ("light_rank", F("due").asc(nulls_last=True), "pk")


@dataclass
class Queue:
    rows: list[Case]
    counts: dict[str, int]
    extensions: list[ExtensionRequest]
    to_close: int


def work_queue(user, *, light: str | None = None, size: int = 50) -> Queue:
    """待办 — what ``user`` has to do now, red first, then by the nearest deadline; with the
    counts by light, the extension requests waiting for their decision, and how many resolved
    cases wait for the callback and closing."""
    rows: list[Case] = []
    counts = {"red": 0, "amber": 0, "green": 0, "total": 0}
    for part in _queue_parts(user):
        for key, value in light_counts(part).items():
            counts[key] += value
        if light:
            part = part.filter(light=light)
        rows += ordered_page(part, URGENT_FIRST, size=size)
    far = timezone.now() + dt.timedelta(days=36500)
    rows.sort(key=lambda c: (c.light_rank, c.due or far, c.pk))
    territory = _dispatcher_territory(user)
    extensions, to_close = [], 0
    if territory is not None:
        in_territory = Case.objects.filter(territory)
        extensions = list(
            ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING, case__in=in_territory)
            .select_related("case", "requested_by").order_by("requested_at")[:size]
        )
        calendar = load_calendar()
        for request in extensions:
            request.deadlines = extension_deadlines(request, calendar)
        to_close = in_territory.filter(status=CaseStatus.RESOLVED).values("pk")[: CLOSE_COUNT_CAP + 1].count()
    return Queue(rows=rows[:size], counts=counts, extensions=extensions, to_close=to_close)


def light_counts(queryset: QuerySet[Case]) -> dict[str, int]:
    """Green / amber / red counts of a queue, in one aggregate query."""
    return queryset.order_by().aggregate(
        red=Count("pk", filter=Q(light=Light.RED)),
        amber=Count("pk", filter=Q(light=Light.AMBER)),
        green=Count("pk", filter=Q(light=Light.GREEN)),
        total=Count("pk"),
    )


def case_by_id(pk: int) -> Case:
    """One case by primary key, for other apps' reactions to its domain events (which carry the
    id) — unscoped: a subscriber acts for the system, not for a user."""
    try:
        return Case.objects.select_related(*CASE_DETAIL_RELATED).get(pk=pk)
    except Case.DoesNotExist:
        raise CaseNotFound() from None


def cases_of_resident(resident) -> QuerySet[Case]:
    """The cases ``resident`` reported, newest first — for the resident's own channels (WeChat's
    「查询」), which have proved who they are; never for staff lists (no scope applied)."""
    if resident is None:
        return Case.objects.none()
    return Case.objects.filter(reporter=resident).order_by("-submitted_at", "-pk")
