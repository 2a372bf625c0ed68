"""Every change of a case's state (办理流程). Each action:

1. locks the case row (``select_for_update``; several cases in pk order),
2. checks the actor's permission and the transition against the *locked* row,
3. validates its input,
4. saves with ``update_fields`` and writes one timeline event (and notifications),

all in one transaction: a refused action raises a ``CaseError`` and writes nothing.
Views, the API, admin, tasks and imports call these; none of them saves a case itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.notifications.models import NotificationKind
from wangge.notifications.services import notify
from wangge.org.choices import DepartmentKind, RegionLevel, Role
from wangge.org.models import Department, Region, User
from wangge.workdays.calendar import WorkdayCalendar, load_calendar, read_calendar

from . import permissions, sla
from .attachments import validate_uploads
from .choices import (
    CASE_LEVEL_ORDER,
    AssignmentRole,
    CaseLevel,
    CaseStatus,
    Channel,
    DurationUnit,
    EventType,
    ExtensionStatus,
    HandlingType,
    Light,
    Satisfaction,
    Stage,
    StarLevel,
)
from .errors import ActionForbidden, CaseNotFound, InvalidInput, InvalidTransition
from .events import jsonable, record_event
from .models import (
    Case,
    CaseAssignment,
    CaseAttachment,
    CaseNumberSequence,
    Category,
    ExtensionRequest,
    ReporterAccessLog,
    SlaPolicy,
)
from .models.category import policy_table
from .models.event import ActorKind
from .transitions import check_transition

RESIDENT_CHANNELS = {Channel.WEB, Channel.QR_PAGE, Channel.WECHAT}
# A mobile number (13812341234), a landline with area code (010-62345678) or a local one (62345678).
PHONE_RE = re.compile(r"1[3-9]\d{9}|0\d{9,11}|[2-9]\d{6,7}")


def valid_phone(phone: str) -> bool:
    digits = re.sub(r"[\s\-()（）]", "", phone)
    if digits.startswith("+86"):
        digits = digits[3:]
    return bool(PHONE_RE.fullmatch(digits))


# ---------------------------------------------------------------------------------------------
# Shared machinery
# ---------------------------------------------------------------------------------------------


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
    case.save(update_fields=[*set(fields), "updated_at"])


# Within ``deferred_light_saves()`` (the sweep, per batch): light-only changes, grouped by the
# fields they touch, written with one UPDATE per group when the block ends.
_DEFERRED: ContextVar[dict | None] = ContextVar("wangge_deferred_light_saves", default=None)


@contextmanager
def deferred_light_saves():
    """Collect the sweep's light / next-check changes and write them together at the end of the
    block (one round trip per group instead of one per case). Nothing is written if it raises."""
    groups: dict[frozenset, list[Case]] = {}
    token = _DEFERRED.set(groups)
    try:
        yield
        now = timezone.now()
        for fields, cases in groups.items():
            for case in cases:
                case.updated_at = now
            _update_many(cases, sorted([*fields, "updated_at"]))
    finally:
        _DEFERRED.reset(token)


def _update_many(cases: list[Case], fields: list[str], batch_size: int = 500) -> None:
    """``bulk_update`` of ``fields`` — on PostgreSQL as ``UPDATE … FROM (VALUES …)``: Django's
    ``bulk_update`` builds a ``CASE WHEN`` expression per case and field, over half a second
    of Python for the thousand light changes of one sweep."""
    if connection.vendor != "postgresql":
        Case.objects.bulk_update(cases, fields, batch_size=batch_size)
        return
    qn = connection.ops.quote_name
    columns = [Case._meta.get_field(name) for name in fields]
    names = ", ".join(qn(column.column) for column in columns)
    assignments = ", ".join(f"{qn(c.column)} = v.{qn(c.column)}::{c.db_type(connection)}" for c in columns)
    row = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(cases), batch_size):
            chunk = cases[start:start + batch_size]
            params = [value for case in chunk for value in (
                case.pk, *(c.get_db_prep_save(getattr(case, c.attname), connection) for c in columns))]
            cursor.execute(
                f"UPDATE {qn(Case._meta.db_table)} SET {assignments} "
                f"FROM (VALUES {', '.join([row] * len(chunk))}) AS v(id, {names}) "
                f"WHERE {qn(Case._meta.db_table)}.id = v.id",
                params,
            )


def _save_light(case: Case, fields: Iterable[str]) -> None:
    groups = _DEFERRED.get()
    if groups is None:
        _save(case, fields)
    else:
        groups.setdefault(frozenset(fields), []).append(case)


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


def _require_reason(reason: str | None, field: str = "reason") -> str:
    return _clean_text(reason, field=field, label=_("A reason"), required=True)


def _store_attachments(case: Case, event, checked, actor) -> list[CaseAttachment]:
    stored = []
    for upload, content_type in checked:
        stored.append(
            CaseAttachment.objects.create(
                case=case,
                event=event,
                file=upload,
                original_name=(upload.name or "file")[:200],
                content_type=content_type,
                size=upload.size,
                uploaded_by=actor,
            )
        )
    return stored


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


def _recompute_clock(case: Case, calendar: WorkdayCalendar) -> list[str]:
    """The deadlines of the running clock computed again (a new policy, a newly loaded calendar
    year), keeping what happened since it started: approved extensions and suspended time."""
    paused = dt.timedelta(seconds=case.paused_seconds)
    start = case.clock_started_at - paused
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
    message = _(
        "Case deadlines in %(year)d are provisional (Monday–Friday rule): load the %(year)d "
        "holiday calendar from the State Council notice."
    ) % {"year": year}
    from wangge.notifications.models import Notification

    already = set(
        Notification.objects.filter(
            kind=NotificationKind.CALENDAR, read_at__isnull=True, message__contains=str(year)
        ).values_list("recipient_id", flat=True)
    )
    notify(recipients=[u for u in admins if u.pk not in already], kind=NotificationKind.CALENDAR, message=message)


def _next_number(now: dt.datetime) -> str:
    """WG + local date + a per-day sequence; the day's row is locked, so numbers never repeat.

    One upsert (PostgreSQL, and SQLite ≥ 3.35): it creates the day's row or increments it under
    its row lock, in a single round trip on the intake path."""
    day = now.astimezone(sla.LOCAL_TZ).date()
    table = CaseNumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day],
        )
        last = cursor.fetchone()[0]
    return f"WG{day:%Y%m%d}-{last:05d}"


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


# Within one sweep (``sweep_lookup_cache``): the staff of a department or node, the calendar.
_SWEEP_CACHE: ContextVar[dict | None] = ContextVar("wangge_sweep_cache", default=None)


@contextmanager
def sweep_lookup_cache():
    """While the sweep runs, look up each department's or node's staff (and the working-day
    calendar) once, not once per due case."""
    token = _SWEEP_CACHE.set({})
    try:
        yield
    finally:
        _SWEEP_CACHE.reset(token)


def _cached(key: tuple, compute):
    cache = _SWEEP_CACHE.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _dispatchers_at(case: Case, level: str) -> list[User]:
    node_id = case.district_id if level == CaseLevel.CITY else getattr(case, f"{level}_id", None)
    return _cached(("dispatchers", level, node_id), lambda: _find_dispatchers_at(case, level))


def _find_dispatchers_at(case: Case, level: str) -> list[User]:
    node = _level_node(case, level)
    if node is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            roles__is_active=True,
            roles__region=node,
            roles__role__in=[*permissions.DISPATCHER_ROLES, *(
                permissions.FIELD_ROLES if level == CaseLevel.GRID else ()
            )],
        ).distinct()
    )


def _people_behind(assignment: CaseAssignment) -> list[User]:
    if assignment.user_id:
        return [assignment.user]
    if assignment.department_id:
        return _cached(("department", assignment.department_id), lambda: list(
            User.objects.filter(
                is_active=True, roles__is_active=True, roles__department_id=assignment.department_id
            ).distinct()
        ))
    return _cached(("region", assignment.region_id), lambda: list(
        User.objects.filter(is_active=True, roles__is_active=True, roles__region_id=assignment.region_id).distinct()
    ))


def _handlers(case: Case) -> list[User]:
    # The sweep prefetches the active assignments of a whole batch of cases.
    assignments = getattr(case, "_prefetched_objects_cache", {}).get("assignments")
    if assignments is None:
        assignments = case.assignments.filter(active=True).select_related("user")
    people: list[User] = []
    for a in assignments:
        if a.active:
            people.extend(_people_behind(a))
    return people


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


# ---------------------------------------------------------------------------------------------
# Intake
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def create_case(
    *,
    actor: User | None,
    channel: str,
    description: str,
    title: str = "",
    category: Category | None = None,
    region: Region | None = None,
    longitude: float | None = None,
    latitude: float | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_anonymous: bool = False,
    attachments: Sequence = (),
    star: int | None = None,
    handling_type: str | None = None,
    submitted_at: dt.datetime | None = None,
) -> Case:
    """受理登记 — file a new case from any channel. ``actor`` None means a resident (public pages)."""
    from wangge.org import geo

    now = timezone.now()
    if actor is None:
        if channel not in RESIDENT_CHANNELS:
            raise ActionForbidden()
    elif not permissions.can_file_cases(actor):
        raise ActionForbidden(_("Your role cannot file cases."))
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel."), fields={"channel": "invalid"})

    description = _clean_text(description, field="description", label=_("Description"), required=True, max_length=5000)
    title = _clean_text(title, field="title", label=_("Title"), required=False, max_length=120) or description[:30]
    address = _clean_text(address, field="address", label=_("Address"), required=False, max_length=200)
    reporter_name = _clean_text(reporter_name, field="reporter_name", label=_("Name"), required=False, max_length=50)
    reporter_phone = (reporter_phone or "").strip()
    if reporter_anonymous:
        reporter_name = ""
    if reporter_phone and not valid_phone(reporter_phone):
        raise InvalidInput(_("The phone number is not valid."), fields={"reporter_phone": "invalid"})
    category = _current_category(category)
    if star is not None and star not in StarLevel.values:
        raise InvalidInput(_("Star level must be 1, 2 or 3."), fields={"star": "invalid"})
    if handling_type is not None and handling_type not in HandlingType.values:
        raise InvalidInput(_("Unknown handling type."), fields={"handling_type": "invalid"})

    if (longitude is None) != (latitude is None):
        raise InvalidInput(_("Give both longitude and latitude."), fields={"longitude": "incomplete"})
    line = None  # the grid found from the point, with its ancestors
    if longitude is not None:
        if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
            raise InvalidInput(_("The coordinates are not valid."), fields={"longitude": "invalid"})
        line = geo.find_grid_line(longitude, latitude)
        if line is None:
            raise InvalidInput(
                _("That location is outside every grid of this platform."), fields={"location": "outside_grids"}
            )
        region = line[-1]
    elif region is None:
        raise InvalidInput(_("Give the location: a point on the map or the community/grid."), fields={"location": "required"})
    elif not region.is_active:
        raise InvalidInput(_("That grid has been retired; choose a current one."), fields={"region": "inactive"})
    elif region.level in (RegionLevel.BUILDING, RegionLevel.UNIT):
        pass  # the finest node is kept; its grid is found among its ancestors
    elif region.level in (RegionLevel.CITY, RegionLevel.DISTRICT):
        raise InvalidInput(_("Choose at least the sub-district."), fields={"region": "too_coarse"})

    checked = validate_uploads(list(attachments))
    snapshot = _territory_snapshot(region, line)
    if snapshot["subdistrict"] is None:
        raise InvalidInput(_("That place is not inside a sub-district."), fields={"region": "too_coarse"})

    submitted_at = submitted_at or now
    calendar = load_calendar()
    case = Case(
        channel=channel,
        title=title,
        description=description,
        category=category,
        star=star or (category.default_star if category else StarLevel.ONE),
        handling_type=handling_type or (category.handling_type if category else HandlingType.GENERAL),
        current_level=CaseLevel.GRID if snapshot["grid"] is not None else CaseLevel.COMMUNITY if snapshot["community"] else CaseLevel.SUBDISTRICT,
        status=CaseStatus.SUBMITTED,
        address=address,
        longitude=longitude,
        latitude=latitude,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        reporter_anonymous=reporter_anonymous,
        created_by=actor,
        sla_policy=_policy_for(category),
        submitted_at=submitted_at,
        **snapshot,
    )
    # Cases start at sub-district intake; "level" is who holds the case, not where it is.
    case.current_level = CaseLevel.SUBDISTRICT
    _set_deadlines(case, submitted_at, calendar)
    _refresh_clock(case, now)
    # Numbering last: the day's sequence row stays locked for as short a time as possible.
    case.number = _next_number(submitted_at)
    case.save()
    event = record_event(
        case,
        EventType.CREATED,
        actor=actor,
        actor_kind=ActorKind.STAFF if actor else ActorKind.RESIDENT,
        to_status=CaseStatus.SUBMITTED,
        data={"channel": channel, "category": jsonable(category), "grid": jsonable(snapshot["grid"])},
        at=submitted_at,
    )
    _store_attachments(case, event, checked, actor)
    _alert_provisional(case)
    return case


# ---------------------------------------------------------------------------------------------
# Intake decisions
# ---------------------------------------------------------------------------------------------


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
    now = timezone.now()
    changes = _apply_classification(case, category=category, star=star, handling_type=handling_type,
                                    calendar=load_calendar())
    if not changes:
        raise InvalidInput(_("Nothing to change."), fields={"category": "unchanged"})
    _save(case, [*CLASSIFY_FIELDS, *_refresh_clock(case, now)])
    record_event(case, EventType.CLASSIFIED, actor=actor, data=changes, note=note)
    _alert_provisional(case)
    return case


# ---------------------------------------------------------------------------------------------
# Dispatch and handling
# ---------------------------------------------------------------------------------------------


def _dispatch(case: Case, actor: User, lead: Target, co_handlers: Sequence[Target], note: str, action: str) -> Case:
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
    message = _("New case %(number)s: %(title)s") % {"number": case.number, "title": case.title}
    notify(recipients=_people_behind(lead_assignment), kind=NotificationKind.ASSIGNED, case=case, message=message)
    whistle = _("Joint handling (whistle) %(number)s: please report in.") % {"number": case.number}
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
           message=_("Case %(number)s was returned: %(reason)s") % {"number": case.number, "reason": reason})
    return case


@transaction.atomic
def add_progress_note(*, case: Case, actor: User, note: str, attachments: Sequence = (), public: bool = False) -> Case:
    """办理进展 — a note (and photos) on the timeline while the case is handled."""
    case = _begin("progress", case, actor)
    note = _clean_text(note, field="note", label=_("The note"), required=True)
    checked = validate_uploads(list(attachments))
    event = record_event(case, EventType.PROGRESS, actor=actor, note=note, public=public)
    _store_attachments(case, event, checked, actor)
    return case


@transaction.atomic
def request_extension(*, case: Case, actor: User, working_days: int, reason: str) -> ExtensionRequest:
    """申请延期 — the handler asks for more working days to resolve."""
    case = _begin("request_extension", case, actor)
    reason = _require_reason(reason)
    if not isinstance(working_days, int) or not 1 <= working_days <= 30:
        raise InvalidInput(_("An extension is 1 to 30 working days."), fields={"working_days": "invalid"})
    if case.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        raise InvalidTransition(_("An extension request for this case is already waiting for a decision."))
    request = ExtensionRequest.objects.create(case=case, working_days=working_days, reason=reason, requested_by=actor)
    record_event(case, EventType.EXTENSION_REQUESTED, actor=actor, data={"working_days": working_days, "request": request.pk},
                 note=reason, public=False)
    notify(recipients=_dispatchers_at(case, CaseLevel.SUBDISTRICT), kind=NotificationKind.EXTENSION, case=case,
           message=_("Case %(number)s asks for %(days)d more working days.") % {"number": case.number, "days": working_days})
    return request


@transaction.atomic
def decide_extension(*, request: ExtensionRequest, actor: User, approve: bool, note: str = "") -> ExtensionRequest:
    """审批延期 — approve (the resolve deadline moves by the working days) or deny."""
    case = _begin("decide_extension", request.case_id, actor)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ExtensionStatus.PENDING:
        raise InvalidTransition(_("This extension request has already been decided."))
    now = timezone.now()
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
    request.decided_by, request.decided_at = actor, now
    request.save(update_fields=["status", "decided_by", "decided_at"])
    data = {"working_days": request.working_days, "request": request.pk}
    if approve:
        old_due = case.resolve_due_at
        new_due = sla.add_duration(old_due, request.working_days, DurationUnit.WORKING_DAYS, load_calendar())
        case.resolve_due_at = new_due.at
        case.deadline_provisional = case.deadline_provisional or new_due.provisional
        if case.breached_stage == Stage.RESOLVE:
            case.breached_stage = ""
        _save(case, ["resolve_due_at", "deadline_provisional", "breached_stage", *_refresh_clock(case, now)])
        data["resolve_due_at"] = [jsonable(old_due), jsonable(case.resolve_due_at)]
        _alert_provisional(case)
    record_event(case, EventType.EXTENSION_APPROVED if approve else EventType.EXTENSION_DENIED, actor=actor,
                 data=data, note=note)
    notify(recipients=[request.requested_by], kind=NotificationKind.EXTENSION, case=case,
           message=(_("Extension approved for %(number)s.") if approve else _("Extension denied for %(number)s."))
           % {"number": case.number})
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
    now = timezone.now()
    paused = now - case.suspended_at
    for stage in ("accept", "dispatch", "resolve"):
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


@transaction.atomic
def resolve_case(*, case: Case, actor: User, result: str, attachments: Sequence = ()) -> Case:
    """办结 — the handler reports the result (the answer the resident will be told)."""
    case = _begin("resolve", case, actor)
    result = _clean_text(result, field="result", label=_("The result"), required=True, max_length=5000)
    checked = validate_uploads(list(attachments), images_only=True)
    now = timezone.now()
    old = case.status
    case.status, case.resolved_at, case.result = CaseStatus.RESOLVED, now, result
    case.resolved_on_time = now <= case.resolve_due_at
    _withdraw_extensions(case, now)
    _save(case, ["status", "resolved_at", "result", "resolved_on_time", *_refresh_clock(case, now)])
    event = record_event(case, EventType.RESOLVED, actor=actor, from_status=old, to_status=case.status, note=result,
                         data={"on_time": case.resolved_on_time})
    _store_attachments(case, event, checked, actor)
    return case


# ---------------------------------------------------------------------------------------------
# Escalation and deadlines
# ---------------------------------------------------------------------------------------------


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
    # The new level gets its own clock: a dispatch target and a fresh resolve target.
    fields = _set_deadlines(case, now, _cached(("calendar",), load_calendar))
    case.accept_due_at = min(case.accept_due_at, now)
    fields += ["current_level", "star", "status", "escalation_count", "breached_stage", *_refresh_clock(case, now)]
    _save(case, fields)
    record_event(
        case, EventType.ESCALATED, actor=actor, from_status=old_status, to_status=case.status,
        data={"level": [old_level, new_level], "star": [old_star, case.star], "automatic": automatic, "ended": ended},
        note=reason,
    )
    notify(recipients=_dispatchers_at(case, new_level), kind=NotificationKind.ESCALATED, case=case,
           message=_("Case %(number)s was escalated to your level: %(reason)s") % {"number": case.number, "reason": reason})
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
    message_args = {"number": case.number, "due": timezone.localtime(due).strftime("%m-%d %H:%M")}
    if case.light == Light.AMBER:
        notify(recipients=_handlers(case) or _dispatchers_at(case, case.current_level),
               kind=NotificationKind.NEARING, case=case,
               message=_("Case %(number)s is nearing its deadline (%(due)s).") % message_args)
    if not breach:
        _save_light(case, fields)
        return "light"
    notify(recipients=[*_handlers(case), *_dispatchers_at(case, case.current_level)],
           kind=NotificationKind.OVERDUE, case=case,
           message=_("Case %(number)s is overdue (deadline %(due)s).") % message_args)
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


# ---------------------------------------------------------------------------------------------
# Answer, revisit, rating, closing
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def revisit_case(*, case: Case, actor: User, lawful: bool, in_place: bool, accepted: bool, note: str = "") -> Case:
    """回访 (三看) — the callback checks: handled according to law, measures really in place,
    the resident understands and accepts."""
    case = _begin("revisit", case, actor)
    now = timezone.now()
    case.revisited_at = now
    case.revisit_lawful, case.revisit_in_place, case.revisit_accepted = bool(lawful), bool(in_place), bool(accepted)
    _save(case, ["revisited_at", "revisit_lawful", "revisit_in_place", "revisit_accepted"])
    record_event(case, EventType.REVISITED, actor=actor,
                 data={"lawful": case.revisit_lawful, "in_place": case.revisit_in_place,
                       "accepted": case.revisit_accepted}, note=note)
    return case


def _reopen(case: Case, actor: User | None, reason: str, now: dt.datetime, actor_kind: str | None = None) -> None:
    old = case.status
    last_lead = case.assignments.filter(role=AssignmentRole.LEAD).order_by("-assigned_at", "-pk").first()
    _end_assignments(case, now)
    case.reopen_count += 1
    case.resolved_at, case.resolved_on_time, case.closed_at = None, None, None
    fields = _set_deadlines(case, now, load_calendar())
    case.accept_due_at = case.dispatch_due_at = now
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
           message=_("Case %(number)s was reopened: %(reason)s") % {"number": case.number, "reason": reason})
    _alert_provisional(case)


def _rate(case: Case, actor, satisfaction: str, comment: str, actor_kind: str) -> Case:
    if satisfaction not in Satisfaction.values:
        raise InvalidInput(_("Choose satisfied, basically satisfied or unsatisfied."),
                           fields={"satisfaction": "invalid"})
    comment = _clean_text(comment, field="comment", label=_("The comment"), required=False, max_length=1000)
    if case.rated_at and case.resolved_at and case.rated_at >= case.resolved_at:
        raise InvalidTransition(_("This answer has already been rated."))
    now = timezone.now()
    old = case.satisfaction
    case.satisfaction, case.rating_comment, case.rated_at = satisfaction, comment, now
    _save(case, ["satisfaction", "rating_comment", "rated_at"])
    record_event(case, EventType.RATED, actor=actor, actor_kind=actor_kind,
                 data={"satisfaction": [old, satisfaction]}, note=comment)
    if satisfaction == Satisfaction.UNSATISFIED:
        _reopen(case, actor, _("The resident is not satisfied.") + (f" {comment}" if comment else ""), now,
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
def close_case(*, case: Case, actor: User, note: str = "") -> Case:
    """结案 — close a resolved case."""
    case = _begin("close", case, actor)
    now = timezone.now()
    old = case.status
    case.status, case.closed_at = CaseStatus.CLOSED, now
    _save(case, ["status", "closed_at", *_refresh_clock(case, now)])
    record_event(case, EventType.CLOSED, actor=actor, from_status=old, to_status=case.status, note=note)
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
    case.urge_count += 1
    _save(case, ["urge_count"])
    record_event(case, EventType.URGED, actor=actor, note=note, public=False)
    recipients = _handlers(case) or _dispatchers_at(case, case.current_level)
    notify(recipients=recipients, kind=NotificationKind.URGED, case=case,
           message=_("Case %(number)s is being urged: %(note)s") % {"number": case.number, "note": note or case.title})
    return case


# ---------------------------------------------------------------------------------------------
# Personal data
# ---------------------------------------------------------------------------------------------


def reveal_reporter(*, case: Case, actor: User, channel: str = "web", ip_address: str | None = None) -> dict:
    """The reporter's unmasked name and phone, for a staff member allowed to see them; logged."""
    if not permissions.can_see(actor, case):
        raise CaseNotFound()
    if not permissions.can_see_reporter(actor):
        raise ActionForbidden(_("You are not allowed to see residents' personal data."))
    ReporterAccessLog.objects.create(case=case, user=actor, channel=channel, ip_address=ip_address)
    return {"name": case.reporter_name, "phone": case.reporter_phone, "anonymous": case.reporter_anonymous}
