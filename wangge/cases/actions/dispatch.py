"""Dispatch (派单 / 转派 / 认领 / 报到 / 退单)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.core.language import office_text
from wangge.notifications.models import NotificationKind
from wangge.notifications.services import notify
from wangge.org.models import User

from .. import permissions
from ..choices import (
    AssignmentRole,
    CaseLevel,
    CaseStatus,
    EventType,
    Stage,
)
from ..errors import ActionForbidden, InvalidInput
from ..events import record_event
from ..models import (
    Case,
)
from .base import (
    Target,
    _begin,
    _clean_note,
    _end_assignments,
    _require_reason,
    _save,
    _start_lead,
)
from .clock import _refresh_clock
from .notices import deadline
from .recipients import _dispatchers_at, _people_behind


def _dispatch(case: Case, actor: User, lead: Target, co_handlers: Sequence[Target], note: str, action: str) -> Case:
    note = _clean_note(note)
    lead.validate(case)
    for co in co_handlers:
        co.validate(case)
    keys = [(t.department and t.department.pk, t.user and t.user.pk, t.region and t.region.pk)
            for t in (lead, *co_handlers)]
    if len(set(keys)) != len(keys):
        raise InvalidInput(_("A handler is listed twice."), fields={"co_handlers": "duplicate"})
    now = timezone.now()
    old_status, old_level = case.status, case.current_level
    ended = _end_assignments(case, now)
    lead_assignment = lead.assignment(case, AssignmentRole.LEAD, actor, now)
    assists = [co.assignment(case, AssignmentRole.ASSIST, actor, now) for co in co_handlers]
    case.status, case.dispatched_at = CaseStatus.DISPATCHED, now
    case.current_level = lead.level(case)
    if case.breached_stage == Stage.DISPATCH:
        case.breached_stage = ""
    fields = ["status", "dispatched_at", "current_level", "breached_stage", "lead_department",
              *_refresh_clock(case, now)]
    _save(case, fields)
    record_event(
        case, EventType.DISPATCHED, actor=actor, from_status=old_status, to_status=case.status,
        data={
            "lead": str(lead), "co_handlers": [str(c) for c in co_handlers], "level": [old_level, case.current_level],
            "ended": ended, "redispatch": action == "redispatch",
        },
        note=note,
    )
    due = deadline(case)
    message = office_text(gettext_lazy("New case %(number)s, %(due)s: %(title)s"),
                          {"number": case.number, "due": due, "title": case.title})
    notify(recipients=_people_behind(lead_assignment), kind=NotificationKind.ASSIGNED, case=case, message=message)
    whistle = office_text(gettext_lazy("Joint handling (whistle) %(number)s: please report in; %(due)s."),
                          {"number": case.number, "due": due})
    for assignment in assists:
        notify(recipients=_people_behind(assignment), kind=NotificationKind.ASSIGNED, case=case, message=whistle)
    return case


@transaction.atomic
def dispatch_case(*, case: Case, actor: User, lead: Target, co_handlers: Sequence[Target] = (), note: str = "") -> Case:
    """派单 — send an accepted case to a department, a person or a community/grid. With
    co-handlers it is joint handling (吹哨报到): the lead answers, the others assist and report in."""
    case = _begin("dispatch", case, actor)
    return _dispatch(case, actor, lead, co_handlers, note, "dispatch")


@transaction.atomic
def redispatch_case(*, case: Case, actor: User, lead: Target, co_handlers: Sequence[Target] = (), note: str = "") -> Case:
    """转派 — a community or grid that was handed a case passes it on to a handler."""
    case = _begin("redispatch", case, actor)
    return _dispatch(case, actor, lead, co_handlers, note, "redispatch")


@transaction.atomic
def claim_case(*, case: Case, actor: User, note: str = "") -> Case:
    """认领 — a street chief or grid worker takes an accepted case on themselves (small things
    stay in the grid), or the dispatched handler confirms they are working on it."""
    case = _begin("claim", case, actor)
    note = _clean_note(note)
    now = timezone.now()
    old = case.status
    data = {}
    if old == CaseStatus.ACCEPTED:
        _end_assignments(case, now)
        _start_lead(case, user=actor, claimed_by=actor, assigned_by=actor, assigned_at=now)
        case.dispatched_at = now
        # The case now sits at the claimer's level (a grid worker: 小事不出网格).
        level = permissions.claim_level(actor, case) or case.current_level
        data["level"] = [case.current_level, level]
        case.current_level = level
    else:
        lead = case.lead_assignment()
        lead.claimed_by = actor
        lead.save(update_fields=["claimed_by"])
    case.status = CaseStatus.IN_PROGRESS
    _save(case, ["status", "dispatched_at", "current_level", "lead_department", *_refresh_clock(case, now)])
    record_event(case, EventType.CLAIMED, actor=actor, from_status=old, to_status=case.status, data=data, note=note)
    return case


@transaction.atomic
def report_in(*, case: Case, actor: User, note: str = "") -> Case:
    """报到 — a co-handler summoned by a whistle confirms it is on the case."""
    case = _begin("report_in", case, actor)
    note = _clean_note(note)
    now = timezone.now()
    assignment = next(
        (a for a in case.assignments.filter(active=True, role=AssignmentRole.ASSIST, reported_in_at__isnull=True)
         if permissions.holds(actor, a)),
        None,
    )
    if assignment is None:
        raise ActionForbidden(_("You have not been summoned to this case, or you have already reported in."))
    assignment.reported_in_at = now
    assignment.save(update_fields=["reported_in_at"])
    record_event(case, EventType.REPORTED_IN, actor=actor, data={"handler": str(assignment.target)}, note=note)
    return case


@transaction.atomic
def return_case(*, case: Case, actor: User, reason: str) -> Case:
    """退单 — the handler sends a wrongly dispatched case back to the dispatcher, with a reason."""
    case = _begin("return", case, actor)
    reason = _require_reason(reason)
    now = timezone.now()
    old = case.status
    lead = case.lead_assignment()
    dispatcher = lead.assigned_by if lead else None
    if dispatcher is not None and dispatcher.pk == lead.user_id:
        dispatcher = None  # claimed by the handler themselves: back to the level's dispatchers
    ended = _end_assignments(case, now)
    case.status = CaseStatus.ACCEPTED
    # Back to the level that held the case when it was handed to this lead.
    handed = (case.events.filter(type__in=[EventType.DISPATCHED, EventType.CLAIMED], data__has_key="level")
              .order_by("-created_at", "-pk").values_list("data", flat=True).first())
    level = handed["level"][0] if handed else CaseLevel.SUBDISTRICT
    case.current_level = level
    _save(case, ["status", "current_level", *_refresh_clock(case, now)])
    record_event(case, EventType.RETURNED, actor=actor, from_status=old, to_status=case.status,
                 data={"ended": ended}, note=reason)
    recipients = [dispatcher] if dispatcher else _dispatchers_at(case, level)
    notify(recipients=recipients, kind=NotificationKind.RETURNED, case=case,
           message=office_text(gettext_lazy("Case %(number)s was returned: %(reason)s"),
                               {"number": case.number, "reason": reason}))
    return case
