"""Handling: progress notes, extensions (延期), suspension (挂起), resolution (办结)."""

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

from ..attachments import validate_uploads
from ..choices import (
    AssignmentRole,
    CaseLevel,
    CaseStatus,
    EventType,
    ExtensionStatus,
    Stage,
)
from ..errors import InvalidInput, InvalidTransition
from ..events import jsonable, record_event
from ..models import (
    Case,
    CaseEvent,
    ExtensionRequest,
)
from ..selectors import extended_resolve_due
from .base import (
    NOTE_MAX_LENGTH,
    RESULT_MAX_LENGTH,
    _begin,
    _clean_note,
    _clean_text,
    _require_reason,
    _save,
    _store_attachments,
    _withdraw_extensions,
)
from .clock import _alert_provisional, _refresh_clock
from .notices import deadline, local_minute
from .recipients import _dispatchers_at


@transaction.atomic
def add_progress_note(*, case: Case, actor: User, note: str, attachments: Sequence = (), public: bool = False) -> Case:
    """办理进展 — a note (and photos) on the timeline while the case is handled."""
    case = _begin("progress", case, actor)
    note = _clean_text(note, field="note", label=_("The note"), required=True, max_length=NOTE_MAX_LENGTH)
    checked = validate_uploads(list(attachments))
    event = record_event(case, EventType.PROGRESS, actor=actor, note=note, public=public)
    _store_attachments(case, event, checked, actor)
    return case


def extension_blocker(case: Case) -> str | None:
    """One extension request at a time: while one waits for a decision, another is refused —
    and the workbench shows 申请延期 greyed out with these words, so the handler sees it waits."""
    if case.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        return _("An extension request for this case is already waiting for a decision.")
    return None


@transaction.atomic
def request_extension(*, case: Case, actor: User, working_days: int, reason: str) -> ExtensionRequest:
    """申请延期 — the handler asks for more working days to resolve."""
    case = _begin("request_extension", case, actor)
    reason = _require_reason(reason)
    if not isinstance(working_days, int) or not 1 <= working_days <= 30:
        raise InvalidInput(_("An extension is 1 to 30 working days."), fields={"working_days": "invalid"})
    pending = extension_blocker(case)
    if pending:
        raise InvalidTransition(pending)
    request = ExtensionRequest.objects.create(case=case, working_days=working_days, reason=reason, requested_by=actor)
    record_event(case, EventType.EXTENSION_REQUESTED, actor=actor, data={"working_days": working_days, "request": request.pk},
                 note=reason, public=False)
    # Whoever decides sees the deadline it would set, as on the case page (what approval sets).
    extended = extended_resolve_due(case, working_days)
    asks = (gettext_lazy("Case %(number)s asks for %(days)d more working days: resolve by %(current)s now, "
                         "by %(new)s if granted (provisional: that year's working-day calendar is not loaded).")
            if extended.provisional else
            gettext_lazy("Case %(number)s asks for %(days)d more working days: resolve by %(current)s now, "
                         "by %(new)s if granted."))
    notify(recipients=_dispatchers_at(case, CaseLevel.SUBDISTRICT), kind=NotificationKind.EXTENSION, case=case,
           message=office_text(asks, {"number": case.number, "days": working_days,
                                      "current": local_minute(case.resolve_due_at), "new": local_minute(extended.at)}))
    return request


@transaction.atomic
def decide_extension(*, request: ExtensionRequest, actor: User, approve: bool, note: str = "") -> ExtensionRequest:
    """审批延期 — approve (the resolve deadline moves by the working days) or deny."""
    case = _begin("decide_extension", request.case_id, actor)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    note = _clean_note(note)
    if request.status != ExtensionStatus.PENDING:
        raise InvalidTransition(_("This extension request has already been decided."))
    now = timezone.now()
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
    request.decided_by, request.decided_at = actor, now
    request.save(update_fields=["status", "decided_by", "decided_at"])
    data = {"working_days": request.working_days, "request": request.pk}
    if approve:
        old_due = case.resolve_due_at
        new_due = extended_resolve_due(case, request.working_days)
        case.resolve_due_at = new_due.at
        case.deadline_provisional = case.deadline_provisional or new_due.provisional
        if case.breached_stage == Stage.RESOLVE:
            case.breached_stage = ""
        _save(case, ["resolve_due_at", "deadline_provisional", "breached_stage", *_refresh_clock(case, now)])
        data["resolve_due_at"] = [jsonable(old_due), jsonable(case.resolve_due_at)]
        _alert_provisional(case)
    record_event(case, EventType.EXTENSION_APPROVED if approve else EventType.EXTENSION_DENIED, actor=actor,
                 data=data, note=note)
    # The requester reads the deadline the decision leaves them: the new one, or the one that stays and why.
    if approve:
        told = gettext_lazy("Extension approved for %(number)s: %(due)s now.")
        due = deadline(case, Stage.RESOLVE, provisional=new_due.provisional)
    else:
        told = (gettext_lazy("Extension denied for %(number)s: the deadline stays, %(due)s. Reason: %(reason)s")
                if note else
                gettext_lazy("Extension denied for %(number)s (no reason given): the deadline stays, %(due)s."))
        due = deadline(case, Stage.RESOLVE)
    notify(recipients=[request.requested_by], kind=NotificationKind.EXTENSION, case=case,
           message=office_text(told, {"number": case.number, "due": due, "reason": note}))
    return request


@transaction.atomic
def suspend_case(*, case: Case, actor: User, reason: str) -> Case:
    """挂起 — pause the clock (waiting for the resident, for weather, for a court...)."""
    case = _begin("suspend", case, actor)
    reason = _require_reason(reason)
    now = timezone.now()
    old = case.status
    case.status, case.suspended_from, case.suspended_at = CaseStatus.SUSPENDED, old, now
    _save(case, ["status", "suspended_from", "suspended_at", *_refresh_clock(case, now)])
    record_event(case, EventType.SUSPENDED, actor=actor, from_status=old, to_status=case.status, note=reason)
    return case


@transaction.atomic
def resume_case(*, case: Case, actor: User, note: str = "") -> Case:
    """恢复 — restart the clock; every deadline moves by the time spent suspended."""
    case = _begin("resume", case, actor)
    note = _clean_note(note)
    now = timezone.now()
    paused = now - case.suspended_at
    # The deadlines get the paused time back — all but a met or missed acceptance's: 按时响应 was
    # decided against it and stays what it was.
    for stage in ("dispatch", "resolve") if case.accepted_at else ("accept", "dispatch", "resolve"):
        setattr(case, f"{stage}_due_at", getattr(case, f"{stage}_due_at") + paused)
    case.clock_started_at += paused
    case.paused_seconds += int(paused.total_seconds())
    old, case.status = case.status, case.suspended_from
    case.suspended_from, case.suspended_at = "", None
    _save(case, ["status", "suspended_from", "suspended_at", "accept_due_at", "dispatch_due_at", "resolve_due_at",
                 "clock_started_at", "paused_seconds", *_refresh_clock(case, now)])
    record_event(case, EventType.RESUMED, actor=actor, from_status=old, to_status=case.status,
                 data={"paused_seconds": int(paused.total_seconds())}, note=note)
    return case


def _escalated_for_being_late(case: Case) -> bool:
    """超时上报 — the sweep sent the case up because a deadline passed. The level above gets a
    fresh clock to work to, but the resident waited past the promise: not resolved on time."""
    return case.escalation_count > 0 and CaseEvent.objects.filter(
        case=case, type=EventType.ESCALATED, data__automatic=True).exists()


def not_reported_in(case: Case) -> list[str]:
    """The co-handlers summoned to ``case`` (吹哨) that have not reported in (报到) yet."""
    return [str(a.target) for a in case.assignments.filter(active=True, role=AssignmentRole.ASSIST,
                                                             reported_in_at__isnull=True)
            .select_related("department", "user", "region").order_by("pk")]


@transaction.atomic
def resolve_case(*, case: Case, actor: User, result: str, attachments: Sequence = (),
                 without_report_in: str = "") -> Case:
    """办结 — the lead, having taken the case on (认领), reports the result (the answer the
    resident will be told). Joint handling (吹哨报到): while a summoned co-handler has not reported
    in, the lead resolves only by saying why (``without_report_in``) — recorded with the names of
    those who did not report, for the figures that judge the departments; a department that never
    answers the whistle does not hold the resident's answer back."""
    case = _begin("resolve", case, actor)
    result = _clean_text(result, field="result", label=_("The result"), required=True, max_length=RESULT_MAX_LENGTH)
    missing = not_reported_in(case)
    without_report_in = _clean_text(without_report_in, field="without_report_in", label=_("A reason"),
                                    required=False, max_length=NOTE_MAX_LENGTH) if missing else ""
    if missing and not without_report_in:
        raise InvalidInput(
            _("%(handlers)s summoned to handle it with you have not reported in (报到) yet: wait for them, or give "
              "the reason for resolving without them (it is recorded).") % {"handlers": "、".join(missing)},
            fields={"without_report_in": "required"})
    checked = validate_uploads(list(attachments), images_only=True)
    now = timezone.now()
    old = case.status
    case.status, case.resolved_at, case.result = CaseStatus.RESOLVED, now, result
    case.resolved_on_time = now <= case.resolve_due_at and not _escalated_for_being_late(case)
    _withdraw_extensions(case, now)
    _save(case, ["status", "resolved_at", "result", "resolved_on_time", *_refresh_clock(case, now)])
    data = {"on_time": case.resolved_on_time}
    if missing:
        data["not_reported_in"], data["without_report_in"] = missing, without_report_in
    event = record_event(case, EventType.RESOLVED, actor=actor, from_status=old, to_status=case.status, note=result,
                         data=data)
    _store_attachments(case, event, checked, actor)
    return case
