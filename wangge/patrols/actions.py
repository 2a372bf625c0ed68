"""Every write of the patrols app (巡查): points, slots, check-ins, findings, the grid's officers.

Each action checks the actor's permission, locks what it changes, validates, and writes in one
transaction; a refused action raises a ``DomainError`` and writes nothing. Cases are opened and
closed only through ``wangge.cases.actions``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.cases import actions as case_actions
from wangge.cases.attachments import validate_uploads
from wangge.cases.channels import Channel
from wangge.cases.choices import AssignmentRole, CaseStatus, HandlingType
from wangge.core.errors import Forbidden, InvalidInput, InvalidState, NotFound
from wangge.core.idempotency import write_once
from wangge.core.language import office_text
from wangge.core.stored_files import save_with_files
from wangge.notifications.services import notify
from wangge.org.choices import RegionLevel, Role
from wangge.org.models import Department, Region, User

from . import permissions
from . import settings as patrol_settings
from .choices import (
    DEFAULT_FREQUENCY,
    FindingClass,
    Frequency,
    PointClass,
    Presence,
    SlotStatus,
)
from .geo import haversine_m
from .models import (
    CheckIn,
    CheckInPhoto,
    Finding,
    GridOfficer,
    OfficerRole,
    PatrolPoint,
    PointClassDefault,
    VisitSlot,
)
from .windows import local_day, today, window_of, windows_between

NOTIFY_EMERGENCY = "patrol_emergency"
NOTIFY_FINDING = "patrol_finding"


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def placement(grid: Region) -> dict:
    """The snapshot columns of a row in ``grid`` (grid, community, sub-district, district)."""
    if grid is None or grid.level != RegionLevel.GRID:
        raise InvalidInput(_("Choose a grid."), fields={"grid": "invalid"})
    nodes = {n.level: n for n in Region.objects.get_ancestors(grid)}
    return {"grid": grid, "community": nodes.get(RegionLevel.COMMUNITY),
            "subdistrict": nodes.get(RegionLevel.SUBDISTRICT), "district": nodes.get(RegionLevel.DISTRICT)}


def _copy_placement(row) -> dict:
    return {"grid_id": row.grid_id, "community_id": row.community_id, "subdistrict_id": row.subdistrict_id,
            "district_id": row.district_id}


def _text(value, *, field: str, label, max_length: int, required: bool) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise InvalidInput(_("%(label)s is required.") % {"label": label}, fields={field: "required"})
    if len(text) > max_length:
        raise InvalidInput(_("%(label)s is too long (at most %(n)d characters).") % {"label": label, "n": max_length},
                           fields={field: "too_long"})
    return text


def _coordinates(latitude, longitude, *, required: bool) -> tuple[float | None, float | None]:
    if latitude in (None, "") and longitude in (None, ""):
        if required:
            raise InvalidInput(_("Give the position (latitude and longitude)."), fields={"latitude": "required"})
        return None, None
    try:
        lat, lng = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise InvalidInput(_("The coordinates are not valid."), fields={"latitude": "invalid"}) from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or lat != lat or lng != lng:
        raise InvalidInput(_("The coordinates are not valid."), fields={"latitude": "invalid"})
    return lat, lng


def default_frequency(point_class: str) -> str:
    """The office's frequency for a class (``PointClassDefault``), else S0's."""
    row = PointClassDefault.objects.filter(point_class=point_class).values_list("frequency", flat=True).first()
    return row or DEFAULT_FREQUENCY.get(point_class, Frequency.WEEKLY)


def _check_class_and_frequency(point_class: str, frequency: str | None) -> str:
    if point_class not in PointClass.values:
        raise InvalidInput(_("Unknown point class."), fields={"point_class": "invalid"})
    if frequency in (None, ""):
        return default_frequency(point_class)
    if frequency not in Frequency.values:
        raise InvalidInput(_("Unknown visit frequency."), fields={"frequency": "invalid"})
    return frequency


def _check_responsible(responsible: User | None, grid: Region) -> None:
    if responsible is not None and not (responsible.is_active and permissions.may_patrol(responsible, grid_row(grid))):
        raise InvalidInput(_("The responsible worker must be an active worker of this grid."),
                           fields={"responsible": "invalid"})


@dataclass(frozen=True)
class _GridRow:
    grid_id: int
    community_id: int | None
    subdistrict_id: int | None
    district_id: int | None


def grid_row(grid: Region) -> _GridRow:
    """A stand-in row placed in ``grid``, for the scope checks before a row exists."""
    p = placement(grid)
    return _GridRow(grid.pk, *(p[k].pk if p[k] else None for k in ("community", "subdistrict", "district")))


# ---------------------------------------------------------------------------------------------
# Points (巡查点位)
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def set_class_default(*, actor: User, point_class: str, frequency: str) -> PointClassDefault:
    """设置类别默认频次 — the office changes a class's default (new points take it)."""
    if not (actor.is_superuser or actor.has_role(Role.ADMIN, Role.LEADER)):
        raise Forbidden()
    _check_class_and_frequency(point_class, frequency)
    row, _created = PointClassDefault.objects.update_or_create(point_class=point_class,
                                                               defaults={"frequency": frequency})
    return row


@transaction.atomic
def create_point(*, actor: User, grid: Region, name: str, point_class: str, latitude: float, longitude: float,
                 frequency: str | None = None, address: str = "", responsible: User | None = None,
                 active_from: dt.date | None = None) -> PatrolPoint:
    """新增点位 — a point in a grid; its current window's slot is made at once."""
    where = placement(grid)
    if not permissions.may_manage(actor, grid_row(grid)):
        raise NotFound()
    if not grid.is_active:
        raise InvalidInput(_("That grid has been retired; choose a current one."), fields={"grid": "inactive"})
    name = _text(name, field="name", label=_("The name"), max_length=100, required=True)
    address = _text(address, field="address", label=_("The address"), max_length=200, required=False)
    frequency = _check_class_and_frequency(point_class, frequency)
    lat, lng = _coordinates(latitude, longitude, required=True)
    _check_responsible(responsible, grid)
    if PatrolPoint.objects.filter(grid=grid, name=name).exists():
        raise InvalidInput(_("This grid already has a point with that name."), fields={"name": "duplicate"})
    point = PatrolPoint.objects.create(
        name=name, point_class=point_class, frequency=frequency, address=address, latitude=lat, longitude=lng,
        responsible=responsible, active_from=active_from or today(), created_by=actor, **where,
    )
    generate_slots(first=max(point.active_from, today() - dt.timedelta(days=31)), last=today(), points=[point])
    return point


@transaction.atomic
def update_point(*, actor: User, point: PatrolPoint, **changes) -> PatrolPoint:
    """修改点位 — name, address, position, class, frequency, responsible worker, active flag. A new
    frequency applies from the current window on (an open, unvisited slot of the old one goes)."""
    point = PatrolPoint.objects.select_for_update().filter(pk=point.pk).first()
    if point is None or not permissions.may_manage(actor, point):
        raise NotFound()
    allowed = {"name", "address", "latitude", "longitude", "point_class", "frequency", "responsible", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(_("Unknown field."), fields={k: "unknown" for k in sorted(unknown)})
    if "name" in changes:
        changes["name"] = _text(changes["name"], field="name", label=_("The name"), max_length=100, required=True)
        if PatrolPoint.objects.filter(grid_id=point.grid_id, name=changes["name"]).exclude(pk=point.pk).exists():
            raise InvalidInput(_("This grid already has a point with that name."), fields={"name": "duplicate"})
    if "address" in changes:
        changes["address"] = _text(changes["address"], field="address", label=_("The address"), max_length=200,
                                   required=False)
    if "latitude" in changes or "longitude" in changes:
        changes["latitude"], changes["longitude"] = _coordinates(changes.get("latitude", point.latitude),
                                                                 changes.get("longitude", point.longitude),
                                                                 required=True)
    if "point_class" in changes or "frequency" in changes:
        changes["frequency"] = _check_class_and_frequency(changes.get("point_class", point.point_class),
                                                          changes.get("frequency", point.frequency))
    if "responsible" in changes:
        _check_responsible(changes["responsible"], point.grid)
    if changes.get("is_active") and not point.grid.is_active:
        raise InvalidInput(_("That grid has been retired; its points are no longer visited."),
                           fields={"is_active": "grid_retired"})
    old_frequency = point.frequency
    for key, value in changes.items():
        setattr(point, key, value)
    point.save(update_fields=list(changes))
    if point.frequency != old_frequency or changes.get("is_active") is False:
        # Unvisited open slots from now on belong to the old plan.
        VisitSlot.objects.filter(point=point, status=SlotStatus.OPEN, window_end__gte=today(),
                                 checkin__isnull=True).delete()
    if point.is_active:
        generate_slots(first=today(), last=today(), points=[point])
    return point


# ---------------------------------------------------------------------------------------------
# Slots (巡查任务)
# ---------------------------------------------------------------------------------------------


def generate_slots(*, first: dt.date, last: dt.date, points: Sequence[PatrolPoint] | None = None) -> int:
    """Make the slots of every window meeting [first, last] for active points (from each point's
    ``active_from``). Idempotent: the unique (point, window start) keeps one slot per window.
    Returns how many rows were offered (existing ones are skipped by the database)."""
    if points is None:
        points = PatrolPoint.objects.filter(is_active=True, grid__is_active=True, active_from__lte=last).only(
            "pk", "frequency", "active_from", "grid_id", "community_id", "subdistrict_id", "district_id")
    rows = []
    for point in points:
        if not point.is_active:
            continue
        for start, end in windows_between(point.frequency, max(first, point.active_from), last):
            rows.append(VisitSlot(point_id=point.pk, frequency=point.frequency, window_start=start, window_end=end,
                                  **_copy_placement(point)))
    for i in range(0, len(rows), 2000):
        VisitSlot.objects.bulk_create(rows[i:i + 2000], ignore_conflicts=True)
    return len(rows)


def close_past_slots(*, on: dt.date | None = None) -> int:
    """Mark as missed the open slots whose window closed before ``on`` (default: today)."""
    on = on or today()
    return VisitSlot.objects.filter(status=SlotStatus.OPEN, window_end__lt=on).update(status=SlotStatus.MISSED)


def run_schedule() -> dict:
    """The periodic job's work: slots for the coming days, missed marks for the closed ones."""
    now_day = today()
    made = generate_slots(first=now_day, last=now_day + dt.timedelta(days=patrol_settings.slot_horizon_days()))
    return {"offered": made, "missed": close_past_slots(on=now_day)}


@transaction.atomic
def cancel_slot(*, actor: User, slot: VisitSlot, reason: str) -> VisitSlot:
    """取消巡查任务 — a visit that cannot be due (the shop is closed for the holiday); a reason is
    required, and a visited slot cannot be cancelled."""
    slot = VisitSlot.objects.select_for_update().filter(pk=slot.pk).first()
    if slot is None or not permissions.may_manage(actor, slot):
        raise NotFound()
    reason = _text(reason, field="reason", label=_("A reason"), max_length=200, required=True)
    if slot.status == SlotStatus.DONE:
        raise InvalidState(_("This visit has been made; it cannot be cancelled."))
    if slot.status == SlotStatus.CANCELLED:
        raise InvalidState(_("This visit has already been cancelled."))
    slot.status, slot.cancel_reason, slot.cancelled_by, slot.cancelled_at = (
        SlotStatus.CANCELLED, reason, actor, timezone.now())
    slot.save(update_fields=["status", "cancel_reason", "cancelled_by", "cancelled_at"])
    return slot


def _slot_for(point: PatrolPoint, at: dt.datetime) -> VisitSlot:
    """The slot of ``point`` whose window holds the moment ``at`` (made if missing: a backdated
    check-in into a window the job has not reached still finds exactly one)."""
    start, end = window_of(point.frequency, local_day(at))
    VisitSlot.objects.bulk_create([VisitSlot(point_id=point.pk, frequency=point.frequency, window_start=start,
                                             window_end=end, **_copy_placement(point))], ignore_conflicts=True)
    return VisitSlot.objects.get(point=point, window_start=start)


# ---------------------------------------------------------------------------------------------
# Check-ins (打卡)
# ---------------------------------------------------------------------------------------------


def _parse_uuid(value) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise InvalidInput(_("The client id must be a UUID."), fields={"client_id": "invalid"}) from None


def _check_time(client_time, now: dt.datetime) -> dt.datetime:
    if not isinstance(client_time, dt.datetime):
        raise InvalidInput(_("Give the time of the check-in."), fields={"client_time": "required"})
    if timezone.is_naive(client_time):
        client_time = timezone.make_aware(client_time)
    if client_time > now + dt.timedelta(minutes=patrol_settings.clock_skew_minutes()):
        raise InvalidInput(_("The check-in's time is in the future; check the phone's clock."),
                           fields={"client_time": "future"})
    hours = patrol_settings.max_backdate_hours()
    if client_time < now - dt.timedelta(hours=hours):
        raise InvalidInput(_("The check-in is older than %(hours)d hours and can no longer be submitted.")
                           % {"hours": hours}, fields={"client_time": "too_old"})
    return client_time


@dataclass
class CheckInResult:
    checkin: CheckIn
    created: bool


def check_in(*, actor: User, client_id, point: PatrolPoint, client_time: dt.datetime,
             presence: str = Presence.GPS, latitude=None, longitude=None, accuracy=None,
             plate_token: str = "", notes: str = "", photos: Sequence = ()) -> CheckInResult:
    """打卡 — a worker at a point. Idempotent on ``client_id``: a resend (the offline queue
    trying again) returns the check-in already stored and writes nothing. The phone's own time
    is kept (within ``WANGGE_PATROL_MAX_BACKDATE_HOURS``) and fills the slot whose window holds
    it; a check-in received later than ``WANGGE_PATROL_LATE_MINUTES`` is marked late, one farther
    than ``WANGGE_PATROL_FAR_METRES`` from the point is flagged — neither is refused."""
    client_id = _parse_uuid(client_id)
    return CheckInResult(*write_once(
        model=CheckIn, client_id=client_id, owner=actor, refuse=_client_id_taken,
        write=lambda: _check_in(actor=actor, client_id=client_id, point=point, client_time=client_time,
                                presence=presence, latitude=latitude, longitude=longitude, accuracy=accuracy,
                                plate_token=plate_token, notes=notes, photos=photos)))


def _client_id_taken() -> InvalidInput:
    return InvalidInput(_("That client id has already been used."), fields={"client_id": "taken"})


def _check_in(*, actor, client_id, point, client_time, presence, latitude, longitude, accuracy, plate_token,
              notes, photos) -> CheckIn:
    now = timezone.now()
    point = PatrolPoint.objects.filter(pk=getattr(point, "pk", point)).first()
    if point is None or not permissions.may_patrol(actor, point):
        raise NotFound()
    if not point.is_active:
        raise InvalidInput(_("This point is no longer patrolled."), fields={"point": "inactive"})
    client_time = _check_time(client_time, now)
    if presence not in Presence.values:
        raise InvalidInput(_("Unknown way of showing presence."), fields={"presence": "invalid"})
    lat, lng = _coordinates(latitude, longitude, required=presence == Presence.GPS)
    acc = None
    if accuracy not in (None, ""):
        try:
            acc = float(accuracy)
        except (TypeError, ValueError):
            raise InvalidInput(_("The accuracy is not a number."), fields={"accuracy": "invalid"}) from None
        if not 0 <= acc < 100_000:
            raise InvalidInput(_("The accuracy is not a number."), fields={"accuracy": "invalid"})
    if presence == Presence.QR and (plate_token or "").strip() != point.plate_token:
        raise InvalidInput(_("The scanned plate does not belong to this point."), fields={"plate_token": "mismatch"})
    notes = _text(notes, field="notes", label=_("The notes"), max_length=2000, required=False)
    checked = validate_uploads(list(photos), images_only=True)
    distance = haversine_m(lat, lng, point.latitude, point.longitude) if lat is not None else None
    slot = _slot_for(point, client_time)
    checkin = CheckIn.objects.create(
        client_id=client_id, point=point, slot=slot, worker=actor, client_time=client_time, received_at=now,
        latitude=lat, longitude=lng, accuracy=acc, presence=presence, distance_m=distance,
        is_far=distance is not None and distance > patrol_settings.far_metres(),
        is_late=(now - client_time) > dt.timedelta(minutes=patrol_settings.late_minutes()),
        notes=notes, **_copy_placement(point),
    )
    for upload, content_type in checked:
        # Tracked: if this check-in is rolled back after its photos were written (a refused finding
        # sent with it, a caller's transaction that fails), the files go too when the request ends.
        save_with_files(CheckInPhoto(checkin=checkin, file=upload, content_type=content_type, size=upload.size))
    # The first check-in of the window fills the slot (a conditional UPDATE: two at once fill it once).
    VisitSlot.objects.filter(pk=slot.pk, status__in=[SlotStatus.OPEN, SlotStatus.MISSED]).update(
        status=SlotStatus.DONE, checkin=checkin, done_at=client_time)
    slot.refresh_from_db(fields=["status", "checkin", "done_at"])
    return checkin


# ---------------------------------------------------------------------------------------------
# Findings (发现问题)
# ---------------------------------------------------------------------------------------------


def _people(region_ids: list[int], roles) -> list[User]:
    return list(User.objects.filter(is_active=True, roles__is_active=True, roles__region_id__in=region_ids,
                                    roles__role__in=list(roles)).distinct())


def _case_place(point: PatrolPoint) -> dict:
    """Where the case is: the point's position when it lies in the point's grid, else the grid."""
    from wangge.org import geo

    line = geo.find_grid_line(point.longitude, point.latitude)
    if line and line[-1].pk == point.grid_id:
        return {"longitude": point.longitude, "latitude": point.latitude}
    return {"region": point.grid}


@transaction.atomic
def report_finding(*, actor: User, checkin: CheckIn, description: str, handling_class: str, category=None,
                   result: str = "", photos: Sequence = (), client_id=None) -> Finding:
    """发现问题 → 案件 in one step, through the case actions: channel patrol, the point's place
    and grid, the worker as reporter. By handling class (S1):

    - general: handled on the spot — filed and resolved by the worker (``result`` says how);
    - coordination: filed for the community, whose secretary is told;
    - emergency: filed, and the sub-district's dispatchers and leaders are notified at once;
    - approval: filed for the community to decide.

    Once per ``client_id`` (``write_once``): a resend from the phone returns the finding already
    made, and two copies at once store one finding and one case (the loser's case and
    notifications are rolled back). Without a ``client_id`` every call reports a new finding."""
    client_id = _parse_uuid(client_id) if client_id else uuid.uuid4()
    return write_once(
        model=Finding, client_id=client_id, owner=actor, refuse=_client_id_taken,
        write=lambda: _report_finding(actor=actor, checkin=checkin, description=description,
                                      handling_class=handling_class, category=category, result=result,
                                      photos=photos, client_id=client_id))[0]


def _report_finding(*, actor, checkin, description, handling_class, category, result, photos,
                    client_id) -> Finding:
    checkin = CheckIn.objects.select_related("point").filter(pk=getattr(checkin, "pk", checkin)).first()
    if checkin is None or not permissions.may_patrol(actor, checkin):
        raise NotFound()
    if checkin.worker_id != actor.pk:
        raise Forbidden(_("Only the worker who checked in can report what they found there."))
    if handling_class not in FindingClass.values:
        raise InvalidInput(_("Choose how the problem is handled."), fields={"handling_class": "invalid"})
    description = _text(description, field="description", label=_("Description"), max_length=5000, required=True)
    if checkin.client_time < timezone.now() - dt.timedelta(hours=patrol_settings.max_backdate_hours()):
        raise InvalidInput(_("That check-in is too old to report a finding from; file a case instead."),
                           fields={"checkin": "too_old"})
    on_the_spot = handling_class == FindingClass.GENERAL
    if on_the_spot and category is None:
        # Said to the worker in the street (the case action's own words are the clerk's).
        raise InvalidInput(_("A problem handled on the spot needs its category: choose one."),
                           fields={"category": "required"})
    point = checkin.point
    fields = dict(
        channel=Channel.PATROL, description=description, address=(point.address or point.name)[:200],
        attachments=photos, submitted_at=checkin.client_time,
        source="patrol", external_id=f"finding:{client_id}", related=checkin, **_case_place(point),
    )
    if on_the_spot:
        case = case_actions.file_and_resolve_on_the_spot(actor=actor, category=category, result=result,
                                                         handling_type=HandlingType.GENERAL, **fields)
    else:
        case = case_actions.create_case(actor=actor, category=category, handling_type=handling_class, **fields)
    finding = Finding.objects.create(
        client_id=client_id, checkin=checkin, point=point, worker=actor, handling_class=handling_class,
        description=description, case=case, on_the_spot=on_the_spot and case.status == CaseStatus.RESOLVED,
        **_copy_placement(checkin),
    )
    _tell_about(finding, case)
    return finding


def _tell_about(finding: Finding, case) -> None:
    if finding.handling_class == FindingClass.EMERGENCY:
        from wangge.org.scope import DISPATCHER_ROLES

        recipients = _people([r for r in (finding.subdistrict_id, finding.district_id) if r],
                             DISPATCHER_ROLES | {Role.LEADER})
        notify(recipients=recipients, kind=NOTIFY_EMERGENCY, subject=case,
               message=office_text(gettext_lazy("Emergency found on patrol at %(point)s: %(number)s %(title)s"),
                                   {"point": finding.point.name, "number": case.number, "title": case.title}))
    elif finding.handling_class in (FindingClass.COORDINATION, FindingClass.APPROVAL):
        if finding.community_id:
            notify(recipients=_people([finding.community_id], {Role.COMMUNITY_SECRETARY}), kind=NOTIFY_FINDING,
                   subject=case, message=office_text(
                       gettext_lazy("Found on patrol at %(point)s, for the community: %(number)s %(title)s"),
                       {"point": finding.point.name, "number": case.number, "title": case.title}))


# ---------------------------------------------------------------------------------------------
# 一格八员 — the grid's officers, and the grid's whistle (网格吹哨)
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def appoint_officer(*, actor: User, grid: Region, user: User, department: Department, role: OfficerRole) -> GridOfficer:
    """下沉 — an officer of a department joins a grid's officers."""
    where = placement(grid)
    if not permissions.may_manage(actor, grid_row(grid)):
        raise NotFound()
    if not user.is_active:
        raise InvalidInput(_("That person's account is not active."), fields={"user": "inactive"})
    if not department.is_active:
        raise InvalidInput(_("That department is no longer active."), fields={"department": "inactive"})
    if not role.is_active:
        raise InvalidInput(_("That officer role is no longer in use."), fields={"role": "inactive"})
    if not user.role_assignments or not any(a.department_id == department.pk for a in user.role_assignments):
        raise InvalidInput(_("That person is not an officer of that department."), fields={"user": "not_in_department"})
    if GridOfficer.objects.filter(grid=grid, user=user, role=role, is_active=True).exists():
        raise InvalidInput(_("That officer is already in this grid in that role."), fields={"user": "duplicate"})
    return GridOfficer.objects.create(user=user, department=department, role=role, **where)


@transaction.atomic
def retire_officer(*, actor: User, officer: GridOfficer) -> GridOfficer:
    officer = GridOfficer.objects.select_for_update().filter(pk=officer.pk).first()
    if officer is None or not permissions.may_manage(actor, officer):
        raise NotFound()
    if not officer.is_active:
        raise InvalidState(_("That officer has already left the grid."))
    officer.is_active, officer.retired_at = False, timezone.now()
    officer.save(update_fields=["is_active", "retired_at"])
    return officer


@transaction.atomic
def blow_whistle(*, actor: User, case, note: str = ""):
    """网格吹哨 — summon the grid's officers to a case as co-handlers (报到 machinery of the case
    desk): an accepted case is dispatched to its grid with them (``dispatch_case``); a case that
    is already being handled keeps its lead and gains them (``redispatch_case``). The case
    actions check who may do it."""
    from wangge.cases.actions import Target
    from wangge.cases.selectors import case_by_id

    case = case_by_id(case.pk)
    if case.status not in (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS):
        raise InvalidState(_("This case is %(status)s: the grid's officers are summoned only while it is being "
                             "handled.") % {"status": CaseStatus(case.status).label})
    if case.grid_id is None:
        raise InvalidInput(_("This case is not in a grid."), fields={"case": "no_grid"})
    officers = list(GridOfficer.objects.filter(grid_id=case.grid_id, is_active=True, user__is_active=True)
                    .select_related("user"))
    if not officers:
        raise InvalidInput(_("No officers are sunk into this grid yet."), fields={"case": "no_officers"})
    assignments = [a for a in case.assignments.filter(active=True).select_related("department", "user", "region")]
    lead = next((a for a in assignments if a.role == AssignmentRole.LEAD), None)
    assists = [Target(department=a.department, user=a.user, region=a.region)
               for a in assignments if a.role != AssignmentRole.LEAD]
    have = {a.user_id for a in assignments if a.user_id}
    summoned = [Target(user=o.user) for o in officers if o.user_id not in have]
    seen: set[int] = set()
    summoned = [t for t in summoned if not (t.user.pk in seen or seen.add(t.user.pk))]
    if not summoned:
        raise InvalidState(_("Every officer of this grid is already on this case."))
    note = note or _("Grid whistle: the grid's officers are summoned.")
    if case.status == CaseStatus.ACCEPTED:
        grid = Region.objects.get(pk=case.grid_id)
        return case_actions.dispatch_case(case=case, actor=actor, lead=Target(region=grid),
                                          co_handlers=summoned, note=note)
    if case.status == CaseStatus.SUBMITTED:
        raise InvalidState(_("Accept the case before blowing the whistle."))
    if lead is None:
        raise InvalidState(_("This case has no lead handler to join."))
    return case_actions.redispatch_case(
        case=case, actor=actor, lead=Target(department=lead.department, user=lead.user, region=lead.region),
        co_handlers=[*assists, *summoned], note=note)
