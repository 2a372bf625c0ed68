"""Shared machinery of the case actions: locking, saving, input cleaning, assignments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from wangge.core.stored_files import save_with_files
from wangge.org.choices import DepartmentKind, RegionLevel
from wangge.org.models import Department, Region, User
from wangge.org.scope import may_receive

from .. import permissions
from ..choices import (
    AssignmentRole,
    CaseLevel,
    ExtensionStatus,
)
from ..errors import CaseNotFound, InvalidInput
from ..mentions import CASE_TEXT_FIELDS as MENTIONED_FIELDS
from ..mentions import note_mentions
from ..models import (
    Case,
    CaseAssignment,
    CaseAttachment,
)
from ..transitions import check_transition


def _lock(case: Case | int) -> Case:
    pk = case.pk if isinstance(case, Case) else case
    try:
        return Case.objects.select_for_update(of=("self",)).select_related("sla_policy", "region").get(pk=pk)
    except Case.DoesNotExist:
        raise CaseNotFound() from None


def _begin(action: str, case: Case | int, actor) -> Case:
    """Lock, then check permission and transition on the locked row."""
    locked = _lock(case)
    permissions.require(actor, action, locked)
    check_transition(action, locked.status)
    return locked


def _save(case: Case, fields: Iterable[str]) -> None:
    fields = set(fields)
    case.save(update_fields=[*fields, "updated_at"])
    typed = fields.intersection(MENTIONED_FIELDS)
    if typed:
        note_mentions(case.pk, *(getattr(case, field) for field in sorted(typed)))


def _clean_text(value: str | None, *, field: str, label: str, required: bool, max_length: int = 2000) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(_("%(label)s is required.") % {"label": label}, fields={field: "required"})
    if len(text) > max_length:
        raise InvalidInput(
            _("%(label)s is too long (at most %(n)d characters).") % {"label": label, "n": max_length},
            fields={field: "too_long"},
        )
    return text


# The longest note or reason an action stores on the timeline, and the longest result (the
# answer the resident is told). The web forms and the API serializers show the same limits.
NOTE_MAX_LENGTH = 2000
RESULT_MAX_LENGTH = 5000


def _require_reason(reason: str | None, field: str = "reason") -> str:
    return _clean_text(reason, field=field, label=_("A reason"), required=True, max_length=NOTE_MAX_LENGTH)


def _clean_note(note: str | None, field: str = "note") -> str:
    """An optional note of an action (may be blank), trimmed, at most NOTE_MAX_LENGTH characters."""
    return _clean_text(note, field=field, label=_("The note"), required=False, max_length=NOTE_MAX_LENGTH)


def _store_attachments(case: Case, event, checked, actor) -> list[CaseAttachment]:
    """The attachment rows, their files written to storage. Each name written is tracked: if the
    transaction is rolled back (the action, or whoever called it, refuses after this), the file
    goes too, once the request or task ends (``core.stored_files``); so does the file of an
    insert that fails (the file is written before the row)."""
    stored = []
    for upload, content_type in checked:
        attachment = CaseAttachment(case=case, event=event, file=upload, original_name=(upload.name or "file")[:200],
                                    content_type=content_type, size=upload.size, uploaded_by=actor)
        stored.append(save_with_files(attachment))
    return stored


def _territory_snapshot(region: Region, line: list[Region] | None = None) -> dict:
    """The case's place at every level; ``line``: the region's ancestors and itself, if known."""
    nodes = {n.level: n for n in (line or [*Region.objects.get_ancestors(region), region])}
    grid = nodes.get(RegionLevel.GRID)
    return {
        "region": region,
        "grid": grid,
        "community": nodes.get(RegionLevel.COMMUNITY),
        "subdistrict": nodes.get(RegionLevel.SUBDISTRICT),
        "district": nodes.get(RegionLevel.DISTRICT),
    }


def _level_node(case: Case, level: str) -> Region | None:
    if level == CaseLevel.CITY:
        return Region.objects.get_parent(case.district) if case.district_id else None
    return getattr(case, level, None) if level in ("grid", "community", "subdistrict", "district") else None


def _withdraw_extensions(case: Case, now: dt.datetime) -> None:
    """A pending extension request lapses when its handler is no longer on the case."""
    case.extension_requests.filter(status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.WITHDRAWN, decided_at=now
    )


def _start_lead(case: Case, **fields) -> CaseAssignment:
    """The case's new lead assignment (承办); the case's ``lead_department`` follows it (the
    caller saves the case with ``"lead_department"`` among its fields)."""
    assignment = CaseAssignment.objects.create(case=case, role=AssignmentRole.LEAD, **fields)
    case.lead_department = assignment.department
    return assignment


def _end_assignments(case: Case, now: dt.datetime) -> list[dict]:
    _withdraw_extensions(case, now)
    active = list(case.assignments.filter(active=True).select_related("department", "region", "user"))
    if active:
        CaseAssignment.objects.filter(pk__in=[a.pk for a in active]).update(active=False, ended_at=now)
    return [{"role": a.role, "target": str(a.target)} for a in active]


@dataclass(frozen=True)
class Target:
    """Whom a case is dispatched to: exactly one of a department, a person or a territory level."""

    department: Department | None = None
    user: User | None = None
    region: Region | None = None

    def validate(self, case: Case) -> None:
        given = [x for x in (self.department, self.user, self.region) if x is not None]
        if len(given) != 1:
            raise InvalidInput(
                _("Choose exactly one handler: a department, a person or a community/grid."),
                fields={"lead": "required"},
            )
        if self.department is not None and not self.department.is_active:
            raise InvalidInput(_("That department is no longer active."), fields={"department": "inactive"})
        if self.user is not None and not self.user.is_active:
            raise InvalidInput(_("That person's account is not active."), fields={"user": "inactive"})
        if self.user is not None and not may_receive(self.user, case):
            # Being handed a case opens it — and its reporter — to that person: only to those
            # whose role is to handle cases here (派单到人), never to any account at all.
            raise InvalidInput(
                _("That person cannot be handed this case: they hold no role that handles cases here."),
                fields={"user": "not_handler"},
            )
        if self.region is not None:
            if self.region.level not in (RegionLevel.COMMUNITY, RegionLevel.GRID) or not self.region.is_active:
                raise InvalidInput(
                    _("A case can be handed down to an active community or grid only."),
                    fields={"region": "invalid"},
                )
            if case.subdistrict_id and not self.region.path.startswith(case.subdistrict.path):
                raise InvalidInput(
                    _("That community or grid is outside this case's sub-district."), fields={"region": "outside"}
                )

    def level(self, case: Case) -> str:
        if self.region is not None:
            return self.region.level
        if self.department is not None:
            return CaseLevel.SUBDISTRICT if self.department.kind == DepartmentKind.SECTION else CaseLevel.DISTRICT
        return case.current_level

    def assignment(self, case: Case, role: str, actor, now) -> CaseAssignment:
        if role == AssignmentRole.LEAD:
            return _start_lead(case, department=self.department, user=self.user, region=self.region,
                               assigned_by=actor, assigned_at=now)
        return CaseAssignment.objects.create(
            case=case, role=role, department=self.department, user=self.user, region=self.region,
            assigned_by=actor, assigned_at=now,
        )

    def __str__(self) -> str:
        return str(self.department or self.user or self.region)
