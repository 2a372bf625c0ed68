"""Escalation (上报 / 自动升级) and the sweep's per-case deadline step."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.core.language import office_text
from wangge.notifications.models import NotificationKind
from wangge.notifications.services import notify
from wangge.org.models import User
from wangge.workdays.calendar import load_calendar, read_calendar

from ..choices import (
    CASE_LEVEL_ORDER,
    CaseLevel,
    CaseStatus,
    EventType,
    Light,
    Stage,
    StarLevel,
)
from ..errors import InvalidTransition
from ..events import jsonable, record_event
from ..models import (
    Case,
)
from .base import _begin, _end_assignments, _lock, _require_reason, _save
from .batching import _save_light
from .clock import _alert_provisional, _recompute_clock, _refresh_clock, _set_deadlines
from .notices import deadline
from .recipients import _cached, _dispatchers_at, _handlers


def _escalate(case: Case, actor: User | None, reason: str, now: dt.datetime, *, automatic: bool) -> Case:
    idx = CASE_LEVEL_ORDER.index(case.current_level)
    if idx + 1 >= len(CASE_LEVEL_ORDER):
        raise InvalidTransition(_("This case is already at the highest level."))
    new_level = CASE_LEVEL_ORDER[idx + 1]
    old_status, old_level, old_star = case.status, case.current_level, case.star
    ended = _end_assignments(case, now)
    case.current_level = new_level
    if new_level == CaseLevel.DISTRICT:
        case.star = max(case.star, StarLevel.TWO)
    elif new_level == CaseLevel.CITY:
        case.star = StarLevel.THREE
    case.status = CaseStatus.ACCEPTED
    case.escalation_count += 1
    case.breached_stage = ""
    # The new level gets its own clock: a dispatch target and a fresh resolve target. The
    # acceptance deadline stays the one the case was accepted against (按时响应 is a fact about
    # the first acceptance: a late one is not made good by going up a level).
    accept_due = case.accept_due_at
    fields = _set_deadlines(case, now, _cached(("calendar",), load_calendar))
    case.accept_due_at = accept_due if case.accepted_at else min(case.accept_due_at, now)
    fields += ["current_level", "star", "status", "escalation_count", "breached_stage", *_refresh_clock(case, now)]
    _save(case, fields)
    record_event(
        case, EventType.ESCALATED, actor=actor, from_status=old_status, to_status=case.status,
        data={"level": [old_level, new_level], "star": [old_star, case.star], "automatic": automatic, "ended": ended},
        note=reason,
    )
    notify(recipients=_dispatchers_at(case, new_level), kind=NotificationKind.ESCALATED, case=case,
           message=office_text(gettext_lazy("Case %(number)s was escalated to your level, %(due)s: %(reason)s"),
                               {"number": case.number, "due": deadline(case), "reason": reason}))
    _alert_provisional(case)
    return case


@transaction.atomic
def escalate_case(*, case: Case, actor: User, reason: str) -> Case:
    """一键上报 — send the case up one level (grid → community → sub-district → district → city)."""
    case = _begin("escalate", case, actor)
    reason = _require_reason(reason)
    return _escalate(case, actor, reason, timezone.now(), automatic=False)


def check_deadline(case: Case, now: dt.datetime) -> str:
    """The sweep's step for one locked, due case: change the light, escalate an overdue one.
    Returns what happened ("light", "escalated", "none")."""
    stage, due = case.current_stage, case.current_due_at
    if stage is None:
        case.next_check_at = None
        _save_light(case, ["next_check_at"])
        return "none"
    old_light = case.light
    fields = _refresh_clock(case, now)
    # A stage may start overdue (accepted after its dispatch time ran out): the breach, not the
    # change of colour, is what must be recorded and told, once per stage.
    breach = case.light == Light.RED and case.breached_stage != stage
    if case.light == old_light and not breach:
        _save_light(case, fields)
        return "none"
    record_event(case, EventType.LIGHT_CHANGED, data={"light": [old_light, case.light], "stage": stage,
                                                        "due": jsonable(due)}, public=False)
    message_args = {"number": case.number, "due": deadline(case, stage, due)}
    if case.light == Light.AMBER:
        notify(recipients=_handlers(case) or _dispatchers_at(case, case.current_level),
               kind=NotificationKind.NEARING, case=case,
               message=office_text(gettext_lazy("Case %(number)s is nearing its deadline: %(due)s."), message_args))
    if not breach:
        _save_light(case, fields)
        return "light"
    notify(recipients=[*_handlers(case), *_dispatchers_at(case, case.current_level)],
           kind=NotificationKind.OVERDUE, case=case,
           message=office_text(gettext_lazy("Case %(number)s is overdue: %(due)s."), message_args))
    case.breached_stage, case.next_check_at = stage, None
    fields.append("breached_stage")
    if stage == Stage.RESOLVE and case.sla_policy.escalate_when_overdue and case.current_level != CaseLevel.CITY:
        # _escalate saves light, next check and breach along with the new level: one UPDATE.
        _escalate(case, None, _("Overdue: not resolved by the deadline."), now, automatic=True)
        return "escalated"
    _save_light(case, fields)
    return "light"


@transaction.atomic
def postpone_check(*, case: Case, until: dt.datetime) -> None:
    """Look at this case again at ``until`` (the sweep could not check it now; see tasks)."""
    case = _lock(case)
    case.next_check_at = until
    _save(case, ["next_check_at"])


@transaction.atomic
def recompute_deadlines(*, case: Case, actor: User | None = None, reason: str = "") -> Case:
    """Recompute a case's deadlines from its clock start (after the calendar of a year is loaded)."""
    case = _lock(case)
    now = timezone.now()
    old = {s: jsonable(getattr(case, f"{s}_due_at")) for s in ("accept", "dispatch", "resolve")}
    old_provisional = case.deadline_provisional
    fields = _recompute_clock(case, read_calendar())  # the year just loaded: never a cached copy
    _save(case, [*fields, *_refresh_clock(case, now)] if case.status != CaseStatus.SUSPENDED else fields)
    new = {s: jsonable(getattr(case, f"{s}_due_at")) for s in ("accept", "dispatch", "resolve")}
    record_event(case, EventType.DEADLINES_RECOMPUTED, actor=actor,
                 data={"old": old, "new": new, "provisional": [old_provisional, case.deadline_provisional]},
                 note=reason, public=False)
    return case
