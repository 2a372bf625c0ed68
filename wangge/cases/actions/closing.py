"""Answer and after: revisit (回访) and callbacks not reached, rating (评价), reopening (重办), closing (结案), merging, urging (催办)."""

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
from wangge.workdays.calendar import load_calendar

from .. import closing_rules, permissions
from ..choices import (
    AssignmentRole,
    CaseStatus,
    EventType,
    Satisfaction,
)
from ..errors import CaseNotFound, InvalidInput, InvalidTransition
from ..events import record_event
from ..models import (
    Case,
)
from ..models.event import ActorKind
from ..transitions import check_guard, check_transition
from .base import (
    _begin,
    _clean_note,
    _clean_text,
    _end_assignments,
    _lock,
    _require_reason,
    _save,
    _start_lead,
)
from .clock import _alert_provisional, _refresh_clock, _set_deadlines
from .notices import deadline
from .recipients import _dispatchers_at, _handlers, _people_behind

# What follows a revisit the resident does not accept (回访不认可): never silently "done".
REVISIT_FOLLOW_UPS = ("reopen", "escalate")


@transaction.atomic
def revisit_case(*, case: Case, actor: User, lawful: bool, in_place: bool, accepted: bool, note: str = "",
                 lawful_words: str = "", in_place_words: str = "", accepted_words: str = "",
                 follow_up: str = "") -> Case:
    """回访 (三看) — the callback checks: handled according to law, measures really in place,
    the resident understands and accepts; each with the resident's own words (kept in the
    event). When the resident does not accept, ``follow_up`` sends the case on in the same
    transaction: ``"reopen"`` (重办, back to its handler) or ``"escalate"`` (reopen and send it up
    one level); "" records the revisit only (the API's default)."""
    if follow_up and follow_up not in REVISIT_FOLLOW_UPS:
        raise InvalidInput(_("Choose to reopen the case or to escalate it."), fields={"follow_up": "invalid"})
    if follow_up and accepted:
        raise InvalidInput(_("The resident accepts the answer: there is nothing to reopen."),
                           fields={"follow_up": "accepted"})
    words = {key: _clean_text(value, field=f"{key}_words", label=_("The resident's words"), required=False,
                              max_length=1000)
             for key, value in (("lawful", lawful_words), ("in_place", in_place_words),
                                ("accepted", accepted_words))}
    case = _begin("revisit", case, actor)
    note = _clean_note(note)
    now = timezone.now()
    case.revisited_at = now
    case.revisit_lawful, case.revisit_in_place, case.revisit_accepted = bool(lawful), bool(in_place), bool(accepted)
    _save(case, ["revisited_at", "revisit_lawful", "revisit_in_place", "revisit_accepted"])
    data = {"lawful": case.revisit_lawful, "in_place": case.revisit_in_place, "accepted": case.revisit_accepted}
    if any(words.values()):
        data["words"] = {k: v for k, v in words.items() if v}
    if follow_up:
        data["follow_up"] = follow_up
    record_event(case, EventType.REVISITED, actor=actor, data=data, note=note)
    if follow_up:
        reason = office_text(gettext_lazy("On the revisit the resident does not accept the answer."))
        said = words["accepted"] or note
        reason = f"{reason} {said}" if said else reason
        permissions.require(actor, "reopen", case)
        _reopen(case, actor, reason, now)
        if follow_up == "escalate":
            from .escalation import escalate_case

            case = escalate_case(case=case, actor=actor, reason=reason)
    return case


def _reopen(case: Case, actor: User | None, reason: str, now: dt.datetime, actor_kind: str | None = None) -> None:
    old = case.status
    last_lead = case.assignments.filter(role=AssignmentRole.LEAD).order_by("-assigned_at", "-pk").first()
    _end_assignments(case, now)
    case.reopen_count += 1
    case.resolved_at, case.resolved_on_time, case.closed_at = None, None, None
    accept_due = case.accept_due_at  # kept: the case was accepted once, against this deadline (按时响应)
    fields = _set_deadlines(case, now, load_calendar())
    case.accept_due_at, case.dispatch_due_at = accept_due, now
    if last_lead is not None:
        _start_lead(case, department=last_lead.department, user=last_lead.user, region=last_lead.region,
                    assigned_by=actor, assigned_at=now)
        case.status = CaseStatus.DISPATCHED
    else:
        case.status = CaseStatus.ACCEPTED
    case.breached_stage = ""
    _save(case, [*fields, "reopen_count", "resolved_at", "resolved_on_time", "closed_at", "status", "breached_stage",
                 "lead_department", *_refresh_clock(case, now)])
    record_event(case, EventType.REOPENED, actor=actor, actor_kind=actor_kind, from_status=old,
                 to_status=case.status, note=reason)
    recipients = _people_behind(case.lead_assignment()) if last_lead else _dispatchers_at(case, case.current_level)
    notify(recipients=recipients, kind=NotificationKind.REOPENED, case=case,
           message=office_text(gettext_lazy("Case %(number)s was reopened: %(reason)s"),
                               {"number": case.number, "reason": reason}))
    _alert_provisional(case)


def _rate(case: Case, actor, satisfaction: str, comment: str, actor_kind: str) -> Case:
    if satisfaction not in Satisfaction.values:
        raise InvalidInput(_("Choose satisfied, basically satisfied or unsatisfied."),
                           fields={"satisfaction": "invalid"})
    comment = _clean_text(comment, field="comment", label=_("The comment"), required=False, max_length=1000)
    if case.answer_rated:
        raise InvalidTransition(_("This answer has already been rated."))
    now = timezone.now()
    old = case.satisfaction
    case.satisfaction, case.rating_comment, case.rated_at = satisfaction, comment, now
    _save(case, ["satisfaction", "rating_comment", "rated_at"])
    record_event(case, EventType.RATED, actor=actor, actor_kind=actor_kind,
                 data={"satisfaction": [old, satisfaction]}, note=comment)
    if satisfaction == Satisfaction.UNSATISFIED:
        _reopen(case, actor, office_text(gettext_lazy("The resident is not satisfied.")) + (f" {comment}" if comment else ""), now,
                actor_kind=actor_kind)
    return case


@transaction.atomic
def rate_case(*, case: Case, actor: User, satisfaction: str, comment: str = "") -> Case:
    """评价 — a clerk records the resident's rating taken on the callback. 不满意 reopens the case."""
    case = _begin("rate", case, actor)
    return _rate(case, actor, satisfaction, comment, ActorKind.STAFF)


@transaction.atomic
def rate_case_as_resident(*, case: Case, satisfaction: str, comment: str = "") -> Case:
    """The resident rates the answer through the tracking page (having proved who they are)."""
    case = _lock(case)
    check_transition("rate", case.status)
    return _rate(case, None, satisfaction, comment, ActorKind.RESIDENT)


@transaction.atomic
def reopen_case(*, case: Case, actor: User, reason: str) -> Case:
    """重办 — send a resolved or closed case back to its handler."""
    case = _begin("reopen", case, actor)
    reason = _require_reason(reason)
    _reopen(case, actor, reason, timezone.now())
    return case


@transaction.atomic
def record_revisit_attempt(*, case: Case, actor: User, note: str = "") -> Case:
    """回访未接通 — a callback that did not reach the resident (no answer, switched off, wrong
    number). After ``revisit_attempts_needed()`` of them for the same answer the case may be
    closed as not reachable (``close_case(without_revisit="unreachable")``)."""
    case = _begin("revisit_attempt", case, actor)
    check_guard("revisit_attempt", case)
    note = _clean_note(note)
    # A callback within the gap of the last one that counted is recorded, but is the same try
    # (不同时段): it does not bring the close as not reachable nearer.
    before = closing_rules.counted_attempt_times(case)
    counted = closing_rules.attempt_would_count(before, timezone.now())
    data = {"attempt": len(before) + (1 if counted else 0), "needed": closing_rules.revisit_attempts_needed()}
    if not counted:
        data["too_soon"] = True
    record_event(case, EventType.REVISIT_FAILED, actor=actor, public=False, note=note, data=data)
    return case


@transaction.atomic
def close_case(*, case: Case, actor: User, note: str = "", without_revisit: str = "",
               rating_declined: bool = False) -> Case:
    """结案 — close a resolved case, on the rule of ``closing_rules``: after the revisit (三看) of
    its current answer, with the resident's rating or ``rating_declined`` (the resident would not
    rate, recorded); or, with no revisit, for a ``without_revisit`` reason that holds for the case
    (``NoRevisit``). The close event records which."""
    case = _begin("close", case, actor)
    check_guard("close", case)
    note = _clean_note(note)
    data: dict = {}
    if closing_rules.revisited_now(case):
        data["revisit"] = "done"
        if case.answer_rated:
            data["rating"] = case.satisfaction
        elif rating_declined:
            data["rating"] = "declined"
        else:
            raise InvalidInput(_("The resident's rating is not recorded: record it, or record that the resident "
                                 "declined to rate."), fields={"rating_declined": "required"})
    else:
        reasons = closing_rules.no_revisit_reasons(case)
        if without_revisit not in reasons:
            raise InvalidInput(_("Say why the case is closed without a revisit: %(reasons)s.") % {
                "reasons": "; ".join(str(closing_rules.NoRevisit(r).label) for r in reasons)},
                fields={"without_revisit": "required" if not without_revisit else "invalid"})
        data["revisit"] = without_revisit
        data["rating"] = case.satisfaction if case.answer_rated else without_revisit
        if without_revisit == closing_rules.NoRevisit.UNREACHABLE:
            data["attempts"] = closing_rules.failed_attempts(case)
        # The reason heads the close's note, in the office's language: the timeline says why.
        reason = office_text(gettext_lazy("Closed without a revisit: %(reason)s."),
                             {"reason": closing_rules.NoRevisit(without_revisit).label})
        note = f"{reason} {note}" if note else reason
    now = timezone.now()
    old = case.status
    case.status, case.closed_at = CaseStatus.CLOSED, now
    _save(case, ["status", "closed_at", *_refresh_clock(case, now)])
    record_event(case, EventType.CLOSED, actor=actor, from_status=old, to_status=case.status, note=note, data=data)
    return case


@transaction.atomic
def merge_case(*, case: Case, into: Case, actor: User, note: str = "") -> Case:
    """合并 — a duplicate is merged into the case that carries on; both timelines record it."""
    if case.pk == into.pk:
        raise InvalidInput(_("A case cannot be merged into itself."), fields={"into": "same"})
    first, second = sorted([case.pk, into.pk])
    locked = {first: _lock(first), second: _lock(second)}
    case, into = locked[case.pk], locked[into.pk]
    permissions.require(actor, "merge", case)
    check_transition("merge", case.status)
    note = _clean_note(note)
    if not permissions.can_see(actor, into):
        raise CaseNotFound(_("The case to merge into was not found."))
    if into.status not in {CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.DISPATCHED,
                           CaseStatus.IN_PROGRESS, CaseStatus.SUSPENDED, CaseStatus.RESOLVED}:
        raise InvalidTransition(_("The case to merge into is already finished."))
    now = timezone.now()
    old = case.status
    ended = _end_assignments(case, now)
    case.status, case.merged_into = CaseStatus.MERGED, into
    case.suspended_at, case.suspended_from = None, ""
    _save(case, ["status", "merged_into", "suspended_at", "suspended_from", *_refresh_clock(case, now)])
    record_event(case, EventType.MERGED, actor=actor, from_status=old, to_status=case.status,
                 data={"into": into.number, "ended": ended}, note=note)
    record_event(into, EventType.DUPLICATE_MERGED, actor=actor, data={"duplicate": case.number}, note=note)
    return case


@transaction.atomic
def urge_case(*, case: Case, actor: User, note: str = "") -> Case:
    """催办 — press the handler of an open case; they are notified."""
    case = _begin("urge", case, actor)
    note = _clean_note(note)
    case.urge_count += 1
    _save(case, ["urge_count"])
    record_event(case, EventType.URGED, actor=actor, note=note, public=False)
    recipients = _handlers(case) or _dispatchers_at(case, case.current_level)
    notify(recipients=recipients, kind=NotificationKind.URGED, case=case,
           message=office_text(gettext_lazy("Case %(number)s is being urged, %(due)s: %(note)s"),
                               {"number": case.number, "due": deadline(case), "note": note or case.title}))
    return case
