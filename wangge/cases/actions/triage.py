"""Intake decisions: accept (受理), reject (不予受理), classify (分类)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.org.models import User
from wangge.workdays.calendar import load_calendar

from ..choices import (
    CaseStatus,
    EventType,
    HandlingType,
    StarLevel,
)
from ..errors import InvalidInput
from ..events import jsonable, record_event
from ..models import (
    Case,
    Category,
)
from .base import _begin, _clean_note, _require_reason, _save
from .clock import _alert_provisional, _policy_for, _recompute_clock, _refresh_clock

# A category read this recently (the API's or the form's validation, a moment before the action)
# is taken as it is: reading it again would only repeat the query.
CATEGORY_FRESH_SECONDS = 1.0


def _current_category(category: Category | None) -> Category | None:
    """The category as it is in the database now: it must exist and be in use."""
    if category is None:
        return None
    if category.is_fresh(CATEGORY_FRESH_SECONDS):
        current = category
    else:
        current = Category.objects.filter(pk=category.pk).first() if category.pk is not None else None
    if current is None:
        raise InvalidInput(_("Unknown category."), fields={"category": "unknown"})
    if not current.is_active:
        raise InvalidInput(_("That category is no longer in use."), fields={"category": "inactive"})
    return current


def _apply_classification(case: Case, *, category, star, handling_type, calendar) -> dict:
    """Set category / star / type; a new policy recomputes the deadlines. Returns old → new."""
    changes: dict = {}
    if category is not None and category.pk != case.category_id:
        category = _current_category(category)
        changes["category"] = [jsonable(case.category), jsonable(category)]
        case.category = category
        if star is None and category.default_star > case.star:
            star = category.default_star
        if handling_type is None:
            handling_type = category.handling_type
    if star is not None and star != case.star:
        if star not in StarLevel.values:
            raise InvalidInput(_("Star level must be 1, 2 or 3."), fields={"star": "invalid"})
        changes["star"] = [case.star, star]
        case.star = star
    if handling_type is not None and handling_type != case.handling_type:
        if handling_type not in HandlingType.values:
            raise InvalidInput(_("Unknown handling type."), fields={"handling_type": "invalid"})
        changes["handling_type"] = [case.handling_type, handling_type]
        case.handling_type = handling_type
    policy = _policy_for(case.category)
    if policy.pk != case.sla_policy_id:
        changes["sla_policy"] = [jsonable(case.sla_policy), jsonable(policy)]
        changes["resolve_due_at"] = [jsonable(case.resolve_due_at), None]
        case.sla_policy = policy
        _recompute_clock(case, calendar)
        changes["resolve_due_at"][1] = jsonable(case.resolve_due_at)
    return changes


CLASSIFY_FIELDS = [
    "category", "star", "handling_type", "sla_policy", "clock_started_at", "accept_due_at",
    "dispatch_due_at", "resolve_due_at", "deadline_provisional", "paused_seconds",
]


@transaction.atomic
def accept_case(*, case: Case, actor: User, category: Category | None = None, star: int | None = None,
                handling_type: str | None = None, note: str = "") -> Case:
    """受理 — take the case on; it must have a category (given now or before)."""
    case = _begin("accept", case, actor)
    note = _clean_note(note)
    now = timezone.now()
    if category is None and case.category_id is None:
        raise InvalidInput(_("Choose a category before accepting."), fields={"category": "required"})
    changes = _apply_classification(case, category=category, star=star, handling_type=handling_type,
                                    calendar=load_calendar())
    case.status, case.accepted_at = CaseStatus.ACCEPTED, now
    fields = [*CLASSIFY_FIELDS, "status", "accepted_at", *_refresh_clock(case, now)]
    _save(case, fields)
    record_event(case, EventType.ACCEPTED, actor=actor, from_status=CaseStatus.SUBMITTED,
                 to_status=CaseStatus.ACCEPTED, data=changes, note=note)
    _alert_provisional(case)
    return case


@transaction.atomic
def reject_case(*, case: Case, actor: User, reason: str) -> Case:
    """不予受理 — refuse the case (not a matter for this platform, a prank, no content...)."""
    case = _begin("reject", case, actor)
    reason = _require_reason(reason)
    now = timezone.now()
    old = case.status
    case.status = CaseStatus.REJECTED
    _save(case, ["status", *_refresh_clock(case, now)])
    record_event(case, EventType.REJECTED, actor=actor, from_status=old, to_status=case.status, note=reason)
    return case


@transaction.atomic
def classify_case(*, case: Case, actor: User, category: Category | None = None, star: int | None = None,
                  handling_type: str | None = None, note: str = "") -> Case:
    """分类 / 改类 — change category, star level or handling type; deadlines follow the policy."""
    case = _begin("classify", case, actor)
    note = _clean_note(note)
    now = timezone.now()
    changes = _apply_classification(case, category=category, star=star, handling_type=handling_type,
                                    calendar=load_calendar())
    if not changes:
        raise InvalidInput(_("Nothing to change."), fields={"category": "unchanged"})
    _save(case, [*CLASSIFY_FIELDS, *_refresh_clock(case, now)])
    record_event(case, EventType.CLASSIFIED, actor=actor, data=changes, note=note)
    _alert_provisional(case)
    return case
