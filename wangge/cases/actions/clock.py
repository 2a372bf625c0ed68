"""The deadline clock of a case: policy, stage deadlines, light, provisional-calendar alert."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext_lazy

from wangge.core.language import office_text
from wangge.notifications.models import NotificationKind
from wangge.notifications.services import notify
from wangge.org.choices import Role
from wangge.org.models import User
from wangge.workdays.calendar import WorkdayCalendar, read_calendar

from .. import sla
from ..choices import (
    DurationUnit,
    ExtensionStatus,
    Light,
    Stage,
)
from ..models import (
    Case,
    Category,
    SlaPolicy,
)
from ..models.category import policy_table


def default_policy() -> SlaPolicy:
    """The policy of cases whose category names none (from the table this process keeps)."""
    policy = policy_table().default
    if policy is None:
        policy, _created = SlaPolicy.objects.get_or_create(
            name="默认时限", defaults={"is_default": True}
        )
    return policy


def _policy_for(category: Category | None) -> SlaPolicy:
    return (category.effective_policy() if category else None) or default_policy()


def _set_deadlines(case: Case, start: dt.datetime, calendar: WorkdayCalendar) -> list[str]:
    """Start a fresh clock at ``start`` (intake, escalation, reopening)."""
    deadlines = sla.stage_deadlines(start, case.sla_policy, calendar)
    if any(d.provisional for d in deadlines.values()):
        # Rare (a deadline in a year nobody has loaded): make sure an admin did not load it
        # seconds ago in another process, before calling the deadline provisional.
        fresh = read_calendar()
        if fresh.loaded_years != calendar.loaded_years:
            deadlines = sla.stage_deadlines(start, case.sla_policy, fresh)
    case.clock_started_at = start
    case.accept_due_at = deadlines[Stage.ACCEPT].at
    case.dispatch_due_at = deadlines[Stage.DISPATCH].at
    case.resolve_due_at = deadlines[Stage.RESOLVE].at
    case.deadline_provisional = any(d.provisional for d in deadlines.values())
    case.paused_seconds = 0
    return ["clock_started_at", "accept_due_at", "dispatch_due_at", "resolve_due_at", "deadline_provisional",
            "paused_seconds"]


def _within_source_deadline(case: Case) -> None:
    """来源时限: no stage is due after the deadline the sending channel set (12345's 办理时限)."""
    cap = case.source_due_at
    if cap is None:
        return
    for stage in ("accept", "dispatch", "resolve"):
        if getattr(case, f"{stage}_due_at") > cap:
            setattr(case, f"{stage}_due_at", cap)


def _recompute_clock(case: Case, calendar: WorkdayCalendar) -> list[str]:
    """The deadlines of the running clock computed again (a new policy, a newly loaded calendar
    year), keeping what happened since it started: approved extensions and suspended time."""
    paused = dt.timedelta(seconds=case.paused_seconds)
    start = case.clock_started_at - paused
    accepted_against = case.accept_due_at if case.accepted_at else None
    fields = _set_deadlines(case, start, calendar)
    extensions = case.extension_requests.filter(status=ExtensionStatus.APPROVED, decided_at__gte=start)
    for request in extensions.order_by("decided_at", "pk"):
        extended = sla.add_duration(case.resolve_due_at, request.working_days, DurationUnit.WORKING_DAYS, calendar)
        case.resolve_due_at = extended.at
        case.deadline_provisional = case.deadline_provisional or extended.provisional
    for stage in ("accept", "dispatch", "resolve"):
        setattr(case, f"{stage}_due_at", getattr(case, f"{stage}_due_at") + paused)
    case.clock_started_at += paused
    case.paused_seconds = int(paused.total_seconds())
    if accepted_against is not None:  # 按时响应 was decided against this deadline: it stays
        case.accept_due_at = accepted_against
    _within_source_deadline(case)  # a new policy or calendar never moves it past the source's
    return fields


def _refresh_clock(case: Case, now: dt.datetime) -> list[str]:
    """Light and next check time for the stage the case is in now."""
    due = case.current_due_at
    if due is None:
        case.light, case.next_check_at = Light.NONE, None
    else:
        ratio = case.sla_policy.amber_ratio
        case.light = sla.light_at(now, case.clock_started_at, due, ratio)
        case.next_check_at = sla.next_check(now, case.clock_started_at, due, ratio)
        if case.next_check_at is None and case.breached_stage != case.current_stage:
            # Already overdue when this stage began: the sweep must still look once, to record
            # the breach, tell the people concerned and (resolve stage) escalate.
            case.next_check_at = due
    return ["light", "next_check_at"]


def _alert_provisional(case: Case) -> None:
    """Tell the admins a deadline fell in a year whose working-day calendar nobody has loaded."""
    if not case.deadline_provisional:
        return
    year = case.resolve_due_at.astimezone(sla.LOCAL_TZ).year
    admins = User.objects.filter(
        Q(is_superuser=True) | Q(roles__role=Role.ADMIN, roles__is_active=True), is_active=True
    ).distinct()
    message = office_text(gettext_lazy(
        "Case deadlines in %(year)d are provisional (Monday–Friday rule): load the %(year)d "
        "holiday calendar from the State Council notice."
    ), {"year": year})
    # Once per admin and year, read or not (the key is unique per recipient).
    notify(recipients=admins, kind=NotificationKind.CALENDAR, message=message, dedupe_key=f"calendar:{year}")
