"""A case as a resident sees it (进度查询): status, deadline and timeline in plain words.

Only events marked ``public`` are shown, and never a staff member's name: a handler appears as
its department, its community or grid, or its role ("the grid worker").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from wangge.cases.choices import AssignmentRole, CaseLevel, CaseStatus, DurationUnit, EventType, Satisfaction
from wangge.cases.models import Case, CaseAttachment, CaseEvent
from wangge.org.choices import Role
from wangge.org.scope import FIELD_ROLES

STREET_CHIEF_ROLES = {Role.STREET_CHIEF_L1, Role.STREET_CHIEF_L2}


def when(value: dt.datetime | None) -> str:
    """A moment in local time, in words: "3月12日（星期三）17:30"."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    fmt = _("F j (l), H:i") if local.year == timezone.localtime().year else _("F j, Y (l), H:i")
    return dateformat.format(local, fmt)


def duration(value: int, unit: str) -> str:
    if unit == DurationUnit.WORKING_DAYS:
        return ngettext("%(n)d working day", "%(n)d working days", value) % {"n": value}
    if unit == DurationUnit.HOURS:
        return ngettext("%(n)d hour", "%(n)d hours", value) % {"n": value}
    return ngettext("%(n)d minute", "%(n)d minutes", value) % {"n": value}


def status_text(case: Case, *, rateable: bool | None = None) -> tuple[str, str]:
    """(words, tone) of the case's current status; tone is a CSS modifier. ``rateable``: whether
    the reader may rate the answer (by default: whether the case's own reporter may)."""
    if case.status == CaseStatus.RESOLVED:
        rateable = can_rate(case) if rateable is None else rateable
        return (_("Handled — please rate the answer") if rateable else pgettext("resident", "Handled")), "done"
    words = {
        CaseStatus.SUBMITTED: _("Received, waiting to be accepted"),
        CaseStatus.ACCEPTED: _("Accepted, finding who will handle it"),
        CaseStatus.DISPATCHED: _("Sent to the office that handles it"),
        CaseStatus.IN_PROGRESS: pgettext("resident", "Being handled"),
        CaseStatus.SUSPENDED: pgettext("resident", "Paused for now"),
        CaseStatus.CLOSED: pgettext("resident", "Finished"),
        CaseStatus.REJECTED: pgettext("resident", "Not taken up"),
        CaseStatus.MERGED: _("Handled together with another report"),
    }[case.status]
    tone = {CaseStatus.CLOSED: "done", CaseStatus.REJECTED: "muted", CaseStatus.MERGED: "muted"}.get(case.status, "open")
    return words, tone


def clock_running(case: Case) -> bool:
    """Whether the case runs against its deadline now: open and not paused. While suspended
    (暂缓) the clock stands still and ``resume_case`` moves every deadline by the pause, so the
    stored deadline is not a promise a resident can hold us to."""
    return case.is_open and case.status != CaseStatus.SUSPENDED


def surviving_case(case: Case) -> Case | None:
    """The case a merged report is handled in (the end of its chain of merges), or None when
    ``case`` was not merged. Its reporter, tracking link and words belong to another resident:
    only its progress is shown (see ``public_timeline(..., own=False)``)."""
    from wangge.intake.duplicates.selectors import surviving_case as end_of_chain

    if case.status != CaseStatus.MERGED or not case.merged_into_id:
        return None
    survivor = end_of_chain(case)
    return survivor if survivor.pk != case.pk else None


def rejection_reason(case: Case) -> str:
    """Why the case was not taken up (不予受理): the reason staff gave, "" for a case not rejected."""
    if case.status != CaseStatus.REJECTED:
        return ""
    event = case.events.filter(type=EventType.REJECTED, public=True).order_by("-created_at", "-pk").first()
    return event.note if event is not None else ""


def can_rate(case: Case) -> bool:
    """The resident may rate once per resolution (the core refuses a second rating)."""
    if case.status != CaseStatus.RESOLVED:
        return False
    return not case.answer_rated


def satisfaction_text(value: str) -> str:
    return {
        Satisfaction.SATISFIED: pgettext("resident", "Satisfied"),
        Satisfaction.BASICALLY: pgettext("resident", "Basically satisfied"),
        Satisfaction.UNSATISFIED: pgettext("resident", "Not satisfied"),
    }.get(value, "")


def level_text(level: str) -> str:
    return {
        CaseLevel.GRID: pgettext("resident", "the grid"),
        CaseLevel.COMMUNITY: pgettext("resident", "the community"),
        CaseLevel.SUBDISTRICT: pgettext("resident", "the sub-district office"),
        CaseLevel.DISTRICT: pgettext("resident", "the district"),
        CaseLevel.CITY: pgettext("resident", "the city"),
    }.get(level, pgettext("resident", "a higher level"))


def person_text(user) -> str:
    """A staff member as a resident may see them: their department or their role, never a name."""
    if user is None:
        return pgettext("resident", "A staff member")
    assignments = user.role_assignments
    for a in assignments:
        if a.department_id:
            return a.department.name
    roles = {a.role for a in assignments}
    if roles & FIELD_ROLES:
        return pgettext("resident", "The grid worker")
    if Role.COMMUNITY_SECRETARY in roles:
        return pgettext("resident", "The community office")
    if roles & STREET_CHIEF_ROLES:
        return pgettext("resident", "The street chief")
    return pgettext("resident", "A staff member")


@dataclass
class Step:
    """One line of the timeline a resident sees."""

    at: dt.datetime
    text: str
    detail: str = ""
    tone: str = ""
    photos: list[CaseAttachment] = field(default_factory=list)

    @property
    def when(self) -> str:
        return when(self.at)


def _lead_at(leads: list, at: dt.datetime):
    """The lead assignment a dispatch made: the latest one made at or before the event."""
    made = [a for a in leads if a.assigned_at <= at]
    return made[-1] if made else None


def _handler_text(assignment) -> str:
    if assignment is None:
        return pgettext("resident", "the office in charge")
    if assignment.department_id:
        return assignment.department.name
    if assignment.region_id:
        return assignment.region.name
    return person_text(assignment.user)


def _step(event: CaseEvent, leads: list, *, own: bool = True) -> Step | None:
    """The resident's line for ``event``. ``own``: the reader reported this case; otherwise it is
    the case their report was merged into, and what concerns only its reporter (their report,
    their rating and its comment, our call back to them) is not theirs to read."""
    t, note = event.type, event.note
    if not own:
        if t == EventType.CREATED:
            return Step(event.created_at, _("Another resident reported the same problem."), tone="start")
        if t in (EventType.RATED, EventType.REVISITED):
            return None
        if t == EventType.ACCEPTED:
            return Step(event.created_at, pgettext("resident", "Accepted."))
        if t == EventType.REJECTED:
            return Step(event.created_at, pgettext("resident", "Not taken up."), _("Reason: %(r)s") % {"r": note}, "muted")
    if t == EventType.CREATED:
        return Step(event.created_at, _("We received your report."), tone="start")
    if t == EventType.ACCEPTED:
        return Step(event.created_at, _("Your report was accepted."))
    if t == EventType.REJECTED:
        return Step(event.created_at, _("Your report was not taken up."), _("Reason: %(r)s") % {"r": note}, "muted")
    if t == EventType.DISPATCHED:
        handler = _handler_text(_lead_at(leads, event.created_at))
        if event.data.get("redispatch"):
            return Step(event.created_at, _("Passed on to %(handler)s to handle.") % {"handler": handler})
        return Step(event.created_at, _("Sent to %(handler)s to handle.") % {"handler": handler})
    if t == EventType.CLAIMED:
        return Step(event.created_at, _("%(handler)s is working on it.") % {"handler": person_text(event.actor)})
    if t == EventType.RETURNED:
        return Step(event.created_at, _("We are finding the right office to handle it."))
    if t == EventType.PROGRESS:
        return Step(event.created_at, pgettext("resident", "Progress update"), note)
    if t == EventType.EXTENSION_APPROVED:
        days = int(event.data.get("working_days") or 0)
        return Step(event.created_at, _("More time was given to handle it (%(days)s).")
                    % {"days": duration(days, DurationUnit.WORKING_DAYS)})
    if t == EventType.SUSPENDED:
        return Step(event.created_at, _("Handling is paused for now."), _("Reason: %(r)s") % {"r": note}, "muted")
    if t == EventType.RESUMED:
        return Step(event.created_at, _("Handling has resumed."))
    if t == EventType.RESOLVED:
        return Step(event.created_at, _("Handled. Here is the answer:"), note, "done")
    if t == EventType.ESCALATED:
        level = (event.data.get("level") or [None, None])[1]
        return Step(event.created_at, _("Passed up to %(level)s for coordination.") % {"level": level_text(level)})
    if t == EventType.REVISITED:
        return Step(event.created_at, _("We called back to check how it went."))
    if t == EventType.RATED:
        rating = satisfaction_text((event.data.get("satisfaction") or ["", ""])[1])
        return Step(event.created_at, _("Your rating: %(rating)s") % {"rating": rating}, note)
    if t == EventType.REOPENED:
        return Step(event.created_at, _("Being handled again."), tone="warn")
    if t == EventType.CLOSED:
        return Step(event.created_at, pgettext("resident", "Finished."), tone="done")
    if t == EventType.MERGED:
        return Step(event.created_at, _("Handled together with a report of the same problem."), tone="muted")
    return None  # internal steps (classification, joint-handling check-ins, deadline lights…)


def public_timeline(case: Case, *, own: bool = True) -> list[Step]:
    """The resident's timeline, newest first (``own``: see ``_step``)."""
    events = list(
        case.events.filter(public=True).select_related("actor").prefetch_related("attachments").order_by("created_at", "pk")
    )
    leads = list(
        case.assignments.filter(role=AssignmentRole.LEAD).select_related("department", "region", "user")
        .order_by("assigned_at", "pk")
    )
    # The current answer has its own card on the page; its step only points there.
    current_answer = next((e for e in reversed(events) if e.type == EventType.RESOLVED), None) \
        if case.resolved_at else None
    # So has the reason of the current 不予受理: the status box shows it with where to ask.
    current_rejection = next((e for e in reversed(events) if e.type == EventType.REJECTED), None) \
        if own and case.status == CaseStatus.REJECTED else None
    steps = []
    for event in events:
        step = _step(event, leads, own=own)
        if step is None:
            continue
        if event is current_answer:
            step.text, step.detail = pgettext("resident", "Handled: see the answer above."), ""
        elif event is current_rejection and event.note:  # the box shows the reason rejection_reason reads
            step.text, step.detail = pgettext("resident", "Not taken up: see the reason above."), ""
        elif event.type in (EventType.RESOLVED, EventType.PROGRESS):
            step.photos = [a for a in event.attachments.all() if a.is_image]
        steps.append(step)
    return steps[::-1]


def merged_timeline(case: Case, survivor: Case) -> list[Step]:
    """A merged report's timeline: its own steps up to the merge, and the surviving case's
    public steps as the merged resident may read them — newest first."""
    steps = public_timeline(case) + public_timeline(survivor, own=False)
    return sorted(steps, key=lambda step: step.at, reverse=True)


# The photos of a surviving case that a merged resident sees: staff's, never its reporter's.
STAFF_PHOTO_EVENTS = (EventType.PROGRESS, EventType.RESOLVED)


def public_photo(case: Case, pk: int) -> CaseAttachment | None:
    """An image a resident holding ``case``'s link may see: theirs, one shown on a public
    timeline step, or — for a merged report — one staff showed on the surviving case's."""
    images = CaseAttachment.objects.filter(pk=pk, content_type__startswith="image/", event__public=True)
    photo = images.filter(case=case).first()
    survivor = surviving_case(case) if photo is None else None
    if survivor is not None:
        photo = images.filter(case=survivor, event__type__in=STAFF_PHOTO_EVENTS).first()
    return photo


def reporter_photos(case: Case) -> list[CaseAttachment]:
    return list(case.attachments.filter(event__type=EventType.CREATED, content_type__startswith="image/"))


def answer_photos(case: Case) -> list[CaseAttachment]:
    """The photos of the latest resolution."""
    event = case.events.filter(type=EventType.RESOLVED, public=True).order_by("-created_at", "-pk").first()
    return [a for a in event.attachments.all() if a.is_image] if event else []
