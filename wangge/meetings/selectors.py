"""Scoped reads of meetings (and who may convene): a community's meetings are seen by its staff
and their superiors; a department sees the meetings, and only the items, it is involved in;
anyone else gets "not found"."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from wangge.cases.choices import OPEN_STATUSES, CaseStatus, HandlingType, StarLevel
from wangge.cases.selectors import available_actions, cases_visible_to
from wangge.org.choices import RegionLevel, Role
from wangge.org.models import Region
from wangge.org.scope import Scope

from .choices import Decision, MeetingKind, MeetingStatus, TopicStatus
from .errors import MeetingNotFound
from .models import AgendaItem, Meeting, Participant, Topic

# Who may convene and run meetings in their territory (社区书记, 街道/区领导, 街长, 网格长 — the
# grid's party branch, S2).
CONVENER_ROLES = frozenset({Role.COMMUNITY_SECRETARY, Role.LEADER, Role.ADMIN, Role.STREET_CHIEF_L1,
                            Role.STREET_CHIEF_L2, Role.GRID_CHIEF})


def _under(region: Region, roots) -> bool:
    return any(region.path.startswith(r.path) for r in roots)


def may_convene(user, region: Region) -> bool:
    """May ``user`` convene a meeting at ``region`` (their territory covers it)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    scope = Scope.of(user)
    return scope.everything or _under(region, scope.regions_for(CONVENER_ROLES))


def may_resolve(user, case) -> bool:
    """May ``user`` resolve (办结) ``case`` now — the core's rule (its handler, while it is worked on).
    The lead that has not claimed (认领) a dispatched case yet may too: deciding at the meeting
    that it is solved takes it on, and the decision claims it first (``actions.decide_item``)."""
    if case is None:
        return False
    available = available_actions(user, case)
    return "resolve" in available or (case.status == CaseStatus.DISPATCHED and "claim" in available)


def items_with_open_case(item_ids) -> set[int]:
    """Of these agenda items, those whose case is still open (not resolved, closed or withdrawn)."""
    return set(AgendaItem.objects.filter(pk__in=list(item_ids), case__status__in=OPEN_STATUSES)
               .values_list("pk", flat=True))


def is_convener_anywhere(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and Scope.of(user).has_any(CONVENER_ROLES))


def may_manage(user, meeting: Meeting) -> bool:
    """The convener, or a convener-role superior whose territory covers the meeting."""
    return meeting.convener_id == getattr(user, "pk", None) or may_convene(user, meeting.region)


def _home_communities(scope) -> list[Region]:
    """The communities of a user's grid-level roles: a grid's staff are the community's staff and
    see the meetings held at the community itself (not those of other grids)."""
    found = []
    for r in scope.all_regions():
        if r.level in (RegionLevel.GRID, RegionLevel.BUILDING, RegionLevel.UNIT):
            community = r.ancestor_at(RegionLevel.COMMUNITY)
            if community is not None:
                found.append(community)
    return found


def _involved_q(departments) -> Q:
    items = AgendaItem.objects.filter(meeting=OuterRef("pk")).filter(
        Q(lead_department__in=departments) | Q(co_departments__in=departments) | Q(case__assignments__department__in=departments,
                                                                                  case__assignments__active=True))
    return Exists(Participant.objects.filter(meeting=OuterRef("pk"), department__in=departments)) | Exists(items)


def meetings_visible_to(user) -> QuerySet[Meeting]:
    qs = Meeting.objects.select_related("region", "convener", "community")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    scope = Scope.of(user)
    if scope.everything:
        return qs
    q = scope.region_filter(fields=None) | Q(convener=user) | Q(participants__user=user)
    q |= Q(region__in=_home_communities(scope))
    if scope.departments:
        q |= _involved_q(sorted(scope.departments))
    return qs.filter(pk__in=Meeting.objects.filter(q).values("pk"))


def meeting_for(user, pk) -> Meeting:
    """One meeting, or MeetingNotFound — also when it exists outside the user's scope."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise MeetingNotFound() from None
    meeting = meetings_visible_to(user).filter(pk=pk).first()
    if meeting is None:
        raise MeetingNotFound()
    return meeting


def sees_whole_meeting(user, meeting: Meeting) -> bool:
    scope = Scope.of(user)
    return (scope.everything or meeting.convener_id == user.pk or _under(meeting.region, scope.all_regions())
            or meeting.region in _home_communities(scope) or meeting.participants.filter(user=user).exists())


def items_for(user, meeting: Meeting) -> list[AgendaItem]:
    """The meeting's items ``user`` may see: all of them, or (a department) the ones it is in."""
    qs = (meeting.items.select_related("case", "lead_department", "topic", "carried_from__meeting")
          .prefetch_related("co_departments", "departments_reported", "attendees"))
    if sees_whole_meeting(user, meeting):
        return list(qs)
    departments = sorted(Scope.of(user).departments)
    if Participant.objects.filter(meeting=meeting, department__in=departments).exists():
        return list(qs)
    return list(qs.filter(Q(lead_department__in=departments) | Q(co_departments__in=departments)
                          | Q(case__assignments__department__in=departments, case__assignments__active=True))
                .distinct())


def ledger(user, region: Region) -> QuerySet:
    """台账 — the open 2★ and coordination cases of the territory (S0), for the agenda builder."""
    community_q = Q(region__path__startswith=region.path)
    column = {RegionLevel.GRID: "grid", RegionLevel.COMMUNITY: "community", RegionLevel.SUBDISTRICT: "subdistrict",
              RegionLevel.DISTRICT: "district"}.get(region.level)
    if column:
        community_q = Q(**{column: region})
    return (cases_visible_to(user).filter(community_q, status__in=OPEN_STATUSES)
            .filter(Q(star__gte=StarLevel.TWO) | Q(handling_type=HandlingType.COORDINATION))
            .select_related("category", "lead_department")
            .prefetch_related("assignments__department")
            .order_by("submitted_at", "pk"))


def ledger_rows(user, region: Region, *, meeting: Meeting | None = None) -> list[dict]:
    """The ledger as rows: departments involved, the resident's request, the plan and the time
    needed (from the latest meeting decision on the case, if any)."""
    cases = list(ledger(user, region)[:200])
    on_agenda = set()
    if meeting is not None:
        on_agenda = set(meeting.items.exclude(case=None).values_list("case_id", flat=True))
    plans = {}
    for item in (AgendaItem.objects.filter(case__in=cases, decision=Decision.PLAN)
                 .select_related("lead_department").order_by("decided_at")):
        plans[item.case_id] = item
    rows = []
    for case in cases:
        departments = sorted({str(a.department) for a in case.assignments.all() if a.active and a.department_id})
        plan = plans.get(case.pk)
        rows.append({
            "case": case,
            "departments": departments,
            "request": case.description[:200],
            "plan": plan.outcome if plan else "",
            "deadline": plan.deadline if plan else None,
            "on_agenda": case.pk in on_agenda,
        })
    return rows


def topics_for(user, region: Region, *, status: str | None = None) -> QuerySet[Topic]:
    qs = Scope.of(user).restrict(Topic.objects.select_related("region", "case", "raised_by"), fields=None)
    qs = qs.filter(region__path__startswith=region.path)
    return qs.filter(status=status) if status else qs


def agenda_for_case(case, user) -> dict | None:
    """The case panel: the meetings whose agenda holds this case (visible to ``user``)."""
    visible = meetings_visible_to(user)
    items = list(AgendaItem.objects.filter(case=case, meeting__in=visible).select_related("meeting")
                 .order_by("-meeting__scheduled_at"))
    return {"items": items} if items else None


def public_meetings(community: Region) -> QuerySet[Meeting]:
    """The community's meetings whose minutes are published (the residents' page)."""
    return (Meeting.objects.filter(region__path__startswith=community.path, status=MeetingStatus.MINUTES_PUBLISHED)
            .order_by("-scheduled_at", "-pk"))


def next_meeting_after(meeting: Meeting) -> Meeting | None:
    """The next meeting of the same series (schedule), or of the same kind at the same node."""
    qs = Meeting.objects.filter(scheduled_at__gt=meeting.scheduled_at,
                                status__in=[MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED])
    if meeting.schedule_id:
        qs = qs.filter(schedule_id=meeting.schedule_id)
    else:
        qs = qs.filter(region=meeting.region, kind=meeting.kind)
    return qs.exclude(pk=meeting.pk).order_by("scheduled_at", "pk").first()


def figures(user, *, since: dt.date | None = None, until: dt.date | None = None) -> dict:
    """Meetings held per level and month; items discussed, solved on the spot, plans, escalated,
    deferred; disputes mediated."""
    meetings = meetings_visible_to(user).filter(status__in=[MeetingStatus.HELD, MeetingStatus.MINUTES_PUBLISHED])
    if since:
        meetings = meetings.filter(scheduled_at__date__gte=since)
    if until:
        meetings = meetings.filter(scheduled_at__date__lte=until)
    per = defaultdict(Counter)
    zone = timezone.get_current_timezone()
    for row in (meetings.order_by().annotate(month=TruncMonth("scheduled_at", tzinfo=zone))
                .values("month", "level").annotate(n=Count("pk"))):
        per[row["month"].strftime("%Y-%m")][row["level"]] += row["n"]
    items = AgendaItem.objects.filter(meeting__in=meetings.order_by().values("pk"))
    decisions = Counter({row["decision"]: row["n"] for row in
                         items.order_by().values("decision").annotate(n=Count("pk"))})
    disputes = items.filter(is_dispute=True, decision__in=[Decision.SOLVED, Decision.PLAN]).count()
    return {
        "meetings": meetings.count(),
        "by_month": [{"month": m, "levels": dict(per[m]), "total": sum(per[m].values())} for m in sorted(per)],
        "items": sum(decisions.values()),
        "solved": decisions.get(Decision.SOLVED, 0),
        "plans": decisions.get(Decision.PLAN, 0),
        "escalated": decisions.get(Decision.UNSOLVABLE, 0),
        "deferred": decisions.get(Decision.DEFERRED, 0),
        "disputes_mediated": disputes,
    }


def upcoming_topics_count(user, region: Region) -> int:
    return topics_for(user, region, status=TopicStatus.PROPOSED).count()


# Kinds of meeting at which the departments the problems involve sit at the table (S0: the
# secretary “每两个月将问题涉及部门召集到一起”; S3: the departments' consultation).
DEPARTMENT_MEETINGS = (MeetingKind.BIMONTHLY, MeetingKind.DEPARTMENT)


def without_departments(meeting: Meeting) -> bool:
    """A meeting of a kind that brings departments to the table (双月协商会, 部门会商) with none invited."""
    return meeting.kind in DEPARTMENT_MEETINGS and not meeting.participants.filter(department__isnull=False).exists()


def departments_missing(meeting: Meeting) -> dict | None:
    """What the convener should hear before publishing the agenda of a meeting that needs the
    departments: ``None`` when one is invited, else ``{"involved": [names]}`` — the departments
    the agenda's cases are with (lead or dispatched), for the warning to name them."""
    if not without_departments(meeting):
        return None
    involved = set()
    for item in meeting.items.exclude(case=None).select_related("case__lead_department"):
        if item.case.lead_department_id:
            involved.add(str(item.case.lead_department))
        involved.update(str(a.department) for a in item.case.assignments.select_related("department")
                        if a.active and a.department_id)
    return {"involved": sorted(involved)}

