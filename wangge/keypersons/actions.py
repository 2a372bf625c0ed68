"""重点人员 — every write on key persons, visits, 六到 and 六报. Each action checks the actor's
permission and scope, locks what it changes, validates, and writes its rows and notifications
in one transaction; cases are opened only through ``wangge.cases.actions.create_case``."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.audit.actions import record_data_export
from wangge.audit.choices import ExportedList
from wangge.cases.actions import create_case, erase_from_cases
from wangge.cases.channels import Channel
from wangge.core.exports import write_xlsx
from wangge.core.idempotency import write_once
from wangge.core.language import office_text
from wangge.notifications.services import notify
from wangge.org.choices import RegionLevel, Role
from wangge.org.models import Region, RoleAssignment
from wangge.org.scope import Scope
from wangge.residents.masking import fit_column, half_width, normalise_phone, redact_rows, redactor, valid_phone
from wangge.residents.models import Resident
from wangge.residents.services import resident_for_report, viewer_posts

from . import events, periods, selectors
from .choices import (
    CASE_REPORTS,
    INFO_REPORTS,
    URGENT_REPORTS,
    AccessKind,
    AttendanceKind,
    HelpNeeded,
    Mood,
    QuickReportKind,
)
from .errors import (
    BadKeyPersonInput,
    ExportForbidden,
    KeyPersonForbidden,
    KeyPersonNotFound,
    KeyPersonRetired,
)
from .models import (
    Attendance,
    KeyPerson,
    KeyPersonAccessLog,
    KeyPersonTag,
    QuickReport,
    QuickReportRoute,
    Visit,
)

KIND_OVERDUE = "keyperson_overdue"
KIND_INFO_REPORT = "quick_report"
KIND_INSTABILITY = "instability_report"

ID_NUMBER_RE = re.compile(r"[0-9]{17}[0-9X]|[0-9]{15}")
# How far back a visit or a report may be dated (entered the evening after, or after a weekend).
BACKDATE_DAYS = 30
FUTURE_SLACK = dt.timedelta(minutes=10)
# 六报 that file a case or alert the leaders: they must say where or what (a place or a note).
NEEDS_WORDS = CASE_REPORTS | URGENT_REPORTS


def _text(value, *, field: str, max_length: int, required: bool = False, label=None) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise BadKeyPersonInput(_("Give text."), fields={field: "invalid"})
    if required and not text:
        raise BadKeyPersonInput(_("%(field)s is required.") % {"field": label or field}, fields={field: "required"})
    if len(text) > max_length:
        raise BadKeyPersonInput(_("%(field)s is too long (at most %(n)s characters).")
                                % {"field": label or field, "n": max_length}, fields={field: "too_long"})
    return text


def _client_id(value) -> uuid.UUID | None:
    """The form's one-time token (``None``: none given, every call writes)."""
    if value in (None, ""):
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise BadKeyPersonInput(_("The form is not valid: reload the page and try again."),
                                fields={"client_id": "invalid"}) from None


def _refused_token() -> BadKeyPersonInput:
    """Someone else's token (or, for a visit, another person's): not a resend of this form."""
    return BadKeyPersonInput(_("The form is not valid: reload the page and try again."), fields={"client_id": "taken"})


def _once(model, client_id: uuid.UUID | None, actor, write):
    """``write()`` in one transaction, once per token (``core.idempotency``): the same form sent
    again — a double tap, a resend on a bad signal, or a concurrent copy — returns the row the
    first one wrote (its case too, never a second); someone else's token is refused."""
    row, _created = write_once(model=model, client_id=client_id, owner=actor, write=write, refuse=_refused_token)
    return row


def _when(at: dt.datetime | None, *, now: dt.datetime, field: str) -> dt.datetime:
    if at is None:
        return now
    if not isinstance(at, dt.datetime) or timezone.is_naive(at):
        raise BadKeyPersonInput(_("Give a time with its time zone."), fields={field: "invalid"})
    if at > now + FUTURE_SLACK:
        raise BadKeyPersonInput(_("The time is in the future."), fields={field: "future"})
    if at < now - dt.timedelta(days=BACKDATE_DAYS):
        raise BadKeyPersonInput(_("The time is more than %(n)s days ago.") % {"n": BACKDATE_DAYS},
                                fields={field: "too_old"})
    return at


def _require_role(actor) -> None:
    if not selectors.can_view(actor):
        raise KeyPersonForbidden()


def _visible(actor, person: KeyPerson, *, lock: bool = False) -> KeyPerson:
    """``person`` as ``actor`` may see it (locked, if asked); ``KeyPersonNotFound`` otherwise."""
    qs = KeyPerson.objects.filter(pk=getattr(person, "pk", None))
    if lock:
        qs = qs.select_for_update()
    row = qs.first()
    if row is None or not Scope.of(actor).reaches(row, roles=selectors.VIEW_ROLES, fields=selectors.KP_FIELDS,
                                                  region_field="grid"):
        raise KeyPersonNotFound()
    return row


def _grid_for(actor, grid: Region | None) -> Region:
    """The grid ``actor`` records in: the one given (if they reach it), or their only grid."""
    scope = Scope.of(actor)
    if grid is None:
        grids = [r for r in scope.regions_for(selectors.VIEW_ROLES) if r.level == RegionLevel.GRID]
        if len(grids) != 1:
            raise BadKeyPersonInput(_("Choose the grid."), fields={"grid": "required"})
        grid = grids[0]
    if grid.level != RegionLevel.GRID or not grid.is_active:
        raise BadKeyPersonInput(_("Choose an active grid."), fields={"grid": "invalid"})
    if not (scope.everything or any(grid.path.startswith(r.path) for r in scope.regions_for(selectors.VIEW_ROLES))):
        raise KeyPersonNotFound(_("No such grid."))
    return grid


def _log(*, actor, person=None, kind: str, purpose: str, granted: bool, rows: int = 0, ip_address=None) -> None:
    with transaction.atomic():
        KeyPersonAccessLog.objects.create(key_person=person, user=actor, kind=kind, purpose=(purpose or "")[:64],
                                          granted=granted, rows=rows, ip_address=ip_address or None,
                                          viewer_posts=viewer_posts(actor))


# ---------------------------------------------------------------------------------------------
# The register
# ---------------------------------------------------------------------------------------------


def _clean_personal(*, name, phone, id_number, address) -> dict:
    name = _text(name, field="name", max_length=50, required=True, label=_("Name"))
    phone = normalise_phone(_text(phone, field="phone", max_length=20))
    if phone and not valid_phone(phone):
        raise BadKeyPersonInput(_("The phone number is not valid."), fields={"phone": "invalid"})
    # Half-width: typed in full width (１１０１０５…Ｘ) it is still the number, and stored as one.
    id_number = half_width(_text(id_number, field="id_number", max_length=18)).upper()
    if id_number and not ID_NUMBER_RE.fullmatch(id_number):
        raise BadKeyPersonInput(_("The ID number is not valid."), fields={"id_number": "invalid"})
    address = _text(address, field="address", max_length=200)
    return {"name": name, "phone": phone, "id_number": id_number, "address": address}


def _clean_tags(tags) -> list[KeyPersonTag]:
    tags = list(tags or [])
    pks = [getattr(t, "pk", t) for t in tags]
    try:
        pks = [int(pk) for pk in pks]
    except (TypeError, ValueError):
        raise BadKeyPersonInput(_("Unknown tag."), fields={"tags": "invalid"}) from None
    found = list(KeyPersonTag.objects.filter(pk__in=pks, is_active=True))
    if not found or len(found) != len(set(pks)):
        raise BadKeyPersonInput(_("Choose at least one valid tag."), fields={"tags": "invalid"})
    return found


def _clean_worker(worker, grid: Region):
    if worker is None:
        return None
    if not worker.is_active or not RoleAssignment.objects.filter(
            user=worker, is_active=True, role__in=[Role.GRID_WORKER, Role.GRID_CHIEF, Role.BUILDING_CHIEF,
                                                   Role.UNIT_CHIEF, Role.STREET_CHIEF_L3],
            region__path__startswith=grid.path).exists():
        raise BadKeyPersonInput(_("The responsible worker must work in this grid."), fields={"worker": "invalid"})
    return worker


def register_key_person(*, actor, grid: Region, name: str, tags, phone: str = "", id_number: str = "",
                        address: str = "", worker=None, unit: Region | None = None, notes: str = "",
                        resident: Resident | None = None, registered_at: dt.datetime | None = None) -> KeyPerson:
    """登记重点人员 — put a resident on the grid's visit register (linked to their ``Resident``:
    the one given, the one with this phone, or a new one)."""
    _require_role(actor)
    grid = _grid_for(actor, grid)
    personal = _clean_personal(name=name, phone=phone, id_number=id_number, address=address)
    tag_rows = _clean_tags(tags)
    worker = _clean_worker(worker, grid)
    notes = _text(notes, field="notes", max_length=2000)
    if unit is not None and not (unit.path.startswith(grid.path) and unit.level in (RegionLevel.BUILDING,
                                                                                      RegionLevel.UNIT)):
        raise BadKeyPersonInput(_("The building or unit must be in the grid."), fields={"unit": "invalid"})
    now = timezone.now()
    with transaction.atomic():
        if resident is None:
            resident = resident_for_report(name=personal["name"], phone=personal["phone"], anonymous=False) \
                if personal["phone"] else None
            if resident is None:
                resident = Resident.objects.create(name=personal["name"], phone=personal["phone"],
                                                   created_at=now, last_seen_at=now)
        person = KeyPerson.objects.create(
            resident=resident, household_id=resident.household_id, unit=unit, grid=grid,
            community=grid.ancestor_at(RegionLevel.COMMUNITY), subdistrict=grid.ancestor_at(RegionLevel.SUBDISTRICT),
            worker=worker, notes=notes, registered_at=registered_at or now, registered_by=actor, **personal,
        )
        person.tags.set(tag_rows)
    return person


def update_key_person(*, actor, person: KeyPerson, tags=None, worker=..., notes: str | None = None) -> KeyPerson:
    """Change a person's tags, responsible worker or notes."""
    _require_role(actor)
    with transaction.atomic():
        row = _visible(actor, person, lock=True)
        if not row.is_active:
            raise KeyPersonRetired()
        fields = []
        if worker is not ...:
            row.worker = _clean_worker(worker, row.grid)
            fields.append("worker")
        if notes is not None:
            row.notes = _text(notes, field="notes", max_length=2000)
            fields.append("notes")
        if fields:
            row.save(update_fields=fields)
        if tags is not None:
            row.tags.set(_clean_tags(tags))
    return row


def reveal_key_person(*, actor, person: KeyPerson, purpose: str = "", ip_address: str | None = None) -> dict:
    """查看完整信息 — the unmasked personal data of ``person``; every full view is logged. A person
    outside the actor's scope is "not found" (and nothing is shown or logged about it)."""
    if not getattr(actor, "is_authenticated", False):
        raise KeyPersonNotFound()
    row = _visible(actor, person)
    if row.anonymised_at:
        raise KeyPersonRetired(_("This key person's data has been erased."))
    _log(actor=actor, person=row, kind=AccessKind.REVEAL, purpose=purpose, granted=True, ip_address=ip_address)
    return {"id": row.pk, "name": row.name, "phone": row.phone, "id_number": row.id_number, "address": row.address}


EXPORT_HEADERS = ("grid", "name", "tags", "frequency", "worker", "phone", "id_number", "address", "registered",
                  "notes")


def export_key_persons(*, actor, queryset=None, purpose: str = "", ip_address: str | None = None) -> tuple[bytes, int]:
    """导出 — the register in the actor's scope as xlsx (full data), for an authorised role only;
    every export and every refused attempt is logged. Returns (file, rows)."""
    if not getattr(actor, "is_authenticated", False):
        raise ExportForbidden()
    if not selectors.can_export(actor):
        _log(actor=actor, kind=AccessKind.EXPORT, purpose=purpose, granted=False, ip_address=ip_address)
        raise ExportForbidden()
    visible = selectors.key_persons_visible_to(actor)
    rows_qs = visible if queryset is None else visible.filter(pk__in=queryset.values("pk"))
    rows = []
    for p in rows_qs:
        rows.append([p.grid.name, p.name, "、".join(t.name for t in p.tags.all()),
                     _freq_label(selectors.frequency_of(p)),
                     str(p.worker or ""), p.phone, p.id_number, p.address,
                     periods.local_day(p.registered_at), p.notes])
    headers = [_("Grid"), _("Name"), _("Tags"), _("Visit frequency"), _("Responsible worker"), _("Phone"),
               _("ID number"), _("Address"), _("Registered"), _("Notes")]
    content = write_xlsx(headers, rows, title=_("Key persons"))
    _log(actor=actor, kind=AccessKind.EXPORT, purpose=purpose, granted=True, rows=len(rows), ip_address=ip_address)
    # In the office's export log too, beside the case lists: the officer reads one list of what left.
    record_data_export(actor=actor, what=ExportedList.KEY_PERSONS, filters=urlencode({"purpose": purpose or ""}),
                       rows=len(rows), cut=False, ip_address=ip_address)
    return content, len(rows)


def _freq_label(value: str) -> str:
    from .choices import VisitFrequency

    return str(VisitFrequency(value).label)


def retire_key_person(*, actor, person: KeyPerson, reason: str) -> KeyPerson:
    """退出 — take a person off the register (moved away, died, no longer in need): never deleted,
    always with a reason. Their data is erased after the retention period."""
    _require_role(actor)
    reason = _text(reason, field="reason", max_length=200, required=True, label=_("Reason"))
    with transaction.atomic():
        row = _visible(actor, person, lock=True)
        if not row.is_active:
            raise KeyPersonRetired()
        row.is_active, row.retired_at, row.retired_by, row.retire_reason = False, timezone.now(), actor, reason
        row.save(update_fields=["is_active", "retired_at", "retired_by", "retire_reason"])
        events.emit(events.RETIRED, row, actor=actor, payload={"key_person_id": row.pk, "resident_id": row.resident_id,
                                                                "reason": reason})
    return row


def retention_days() -> int:
    return int(getattr(settings, "WANGGE_KEYPERSON_RETENTION_DAYS", 365 * 3))


def anonymise_retired_key_persons(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """保存期限 — erase the personal data of persons retired longer than the retention period (the
    row and its visits stay, so past coverage figures stay whole: ``anonymise_key_person``).
    Returns how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=retention_days() if days is None else days)
    done = 0
    with transaction.atomic():
        for row in (KeyPerson.objects.select_for_update(skip_locked=True)
                    .filter(is_active=False, anonymised_at__isnull=True, retired_at__lt=cutoff).order_by("pk")):
            anonymise_key_person(row, now=now)
            done += 1
    return done


def anonymise_key_person(row: KeyPerson, *, now: dt.datetime, phones=(), names=(), actor=None) -> None:
    """Erase one retired person's entry — the one way both the retention sweep and a resident's
    PIPL erasure (``receivers.blank_copies``) do it. Blank: name, phone, ID number, address and
    notes, and each visit's what-was-found, place and need (the visits themselves, their dates,
    moods and follow-ups stay, so coverage figures stay whole). Redacted (the words replaced by
    〔已删除〕, ``residents.masking.redactor``): the row's own number and name, and ``phones`` /
    ``names`` (what the resident's erasure says was erased), in the reason it was retired for and
    in the notes of the 六到 attendances on it, and in the cases its visits opened (they took the
    visit's words: ``cases.actions.erase_from_cases``, on the case's record as a staff-only
    PII_REDACTED row by ``actor``). ``anonymised_at`` is set once (an entry the sweep
    erased earlier keeps its date, and is redacted again for the words it did not know). The
    caller holds the row's lock and the transaction; the row must be retired (a database
    constraint)."""
    phones, names = [row.phone, *phones], [row.name, *names]
    redact = redactor(phones=phones, names=names)
    opened = list(Visit.objects.filter(key_person=row, case__isnull=False).values_list("case_id", flat=True))
    if opened:
        erase_from_cases(cases=opened, phones=phones, names=names, actor=actor)
    row.name = row.phone = row.id_number = row.address = row.notes = ""
    row.retire_reason = fit_column(KeyPerson, "retire_reason", redact(row.retire_reason))
    row.anonymised_at = row.anonymised_at or now
    row.save(update_fields=["name", "phone", "id_number", "address", "notes", "retire_reason", "anonymised_at"])
    Visit.objects.filter(key_person=row).exclude(found="", place="", need_note="").update(
        found="", place="", need_note="")
    redact_rows(Attendance.objects.filter(key_person=row).order_by("pk"), redact, ["place", "note"])
    redact_quick_reports(phones=phones)


def redact_quick_reports(*, phones) -> int:
    """六报 name no person, but a report of a pregnancy or of incoming population may quote one's
    number ("新迁入租户，电话 138 1234 5678"): on an erasure the number goes from them too (not a
    name: there it may be another person's). Only the reports that hold the number's last four
    digits (half- or full-width — every usual way of typing a number keeps them together) are read;
    returns how many changed. Runs in the caller's transaction."""
    numbers = sorted({n for n in (normalise_phone(p) for p in phones if p) if valid_phone(n)})
    if not numbers:
        return 0
    holds = Q()
    for number in numbers:
        tail = number[-4:]
        for written in (tail, "".join(chr(0xFF10 + int(d)) for d in tail)):
            holds |= Q(note__contains=written) | Q(place__contains=written)
    rows = QuickReport.objects.filter(holds).select_for_update().order_by("pk")
    return len(redact_rows(rows, redactor(phones=numbers, names=[]), ["place", "note"]))


# ---------------------------------------------------------------------------------------------
# Visits (走访)
# ---------------------------------------------------------------------------------------------


def record_visit(*, actor, person: KeyPerson, found: str = "", place: str = "", mood: str = Mood.STABLE,
                 help_needed: str = HelpNeeded.NONE, need_note: str = "", visited_at: dt.datetime | None = None,
                 now: dt.datetime | None = None, client_id=None) -> Visit:
    """走访 — record a visit. Help that needs handling opens a case (channel patrol, the worker as
    reporter, in the person's grid — the person's address is not copied into it); a service need
    is kept as a note on the visit. Once per ``client_id`` (the form's token): the same form sent
    twice returns the visit it made, and opens no second case."""
    _require_role(actor)
    client_id = _client_id(client_id)
    now = now or timezone.now()
    at = _when(visited_at, now=now, field="visited_at")
    found = _text(found, field="found", max_length=2000)
    place = _text(place, field="place", max_length=100)
    need_note = _text(need_note, field="need_note", max_length=300)
    if mood not in Mood.values:
        raise BadKeyPersonInput(_("Unknown mood."), fields={"mood": "invalid"})
    if help_needed not in HelpNeeded.values:
        raise BadKeyPersonInput(_("Unknown kind of help."), fields={"help_needed": "invalid"})
    if help_needed != HelpNeeded.NONE and not (need_note or found):
        raise BadKeyPersonInput(_("Say what help is needed."), fields={"need_note": "required"})

    def write() -> Visit:
        row = _visible(actor, person, lock=True)
        if not row.is_active:
            raise KeyPersonRetired()
        if at < row.registered_at - FUTURE_SLACK:
            raise BadKeyPersonInput(_("The visit is dated before the person was registered."),
                                    fields={"visited_at": "too_old"})
        case = None
        if help_needed == HelpNeeded.CASE:
            text = need_note or found
            case = create_case(actor=actor, channel=Channel.PATROL, title=office_text(gettext_lazy("Found on a visit: %(text)s"),
                                                                              {"text": text[:20]}), description=text, region=row.grid, address=place)
        visit = Visit.objects.create(key_person=row, worker=actor, grid=row.grid, community=row.community,
                                     visited_at=at, place=place, found=found, mood=mood, help_needed=help_needed,
                                     need_note=need_note, case=case, client_id=client_id)
        events.emit(events.VISITED, visit, actor=actor, payload={
            "key_person_id": row.pk, "resident_id": row.resident_id, "grid_id": row.grid_id,
            "community_id": row.community_id, "visited_at": at.isoformat(), "mood": mood,
            "help_needed": help_needed, "need_note": need_note, "case_id": case.pk if case else None})
        return visit

    visit = _once(Visit, client_id, actor, write)
    if visit.key_person_id != getattr(person, "pk", None):
        raise _refused_token()
    return visit


def notify_overdue(*, now: dt.datetime | None = None) -> int:
    """逾期提醒 — tell each worker about their overdue visits (once per missed window), and the grid
    chief too when the worker is absent or the visit is more than the grace period late."""
    now = now or timezone.now()
    today = periods.local_day(now)
    grace = selectors.chief_grace_days()
    sent = 0
    persons = (KeyPerson.objects.filter(is_active=True).select_related("grid", "worker")
               .prefetch_related("tags").order_by("grid_id", "pk"))
    chiefs_cache: dict[int, list] = {}
    absent_cache: dict[tuple, bool] = {}
    with transaction.atomic():
        for due in selectors.due_list(persons, today=today):
            if due.status != "overdue":
                continue
            p = due.person
            key = f"kp-overdue:{p.pk}:{due.missed_window[1].isoformat()}"
            message = office_text(gettext_lazy("Visit overdue: %(person)s (%(grid)s), due by %(day)s."), {
                "person": str(p), "grid": p.grid.name, "day": due.missed_window[1].isoformat()})
            absent = absent_cache.setdefault((p.worker_id, p.grid_id), selectors.worker_is_absent(p.worker, p.grid))
            if not absent:
                sent += notify(recipients=[p.worker], kind=KIND_OVERDUE, message=message, subject=p, dedupe_key=key)
            if absent or due.overdue_days > grace:
                chiefs = chiefs_cache.setdefault(p.grid_id, selectors.chiefs_of(p.grid))
                sent += notify(recipients=chiefs, kind=KIND_OVERDUE, message=message, subject=p,
                               dedupe_key=key + ":chief")
    return sent


# ---------------------------------------------------------------------------------------------
# 六到 and 六报
# ---------------------------------------------------------------------------------------------


def record_attendance(*, actor, kind: str, note: str = "", place: str = "", grid: Region | None = None,
                      person: KeyPerson | None = None, at: dt.datetime | None = None,
                      now: dt.datetime | None = None, client_id=None) -> Attendance:
    """六到 — the worker attended in person (a mood swing, a volunteer activity, an illness …).
    Once per ``client_id`` (the form's token), like a visit."""
    _require_role(actor)
    client_id = _client_id(client_id)
    if kind not in AttendanceKind.values:
        raise BadKeyPersonInput(_("Unknown occasion."), fields={"kind": "invalid"})
    at = _when(at, now=now or timezone.now(), field="at")
    note = _text(note, field="note", max_length=500)
    place = _text(place, field="place", max_length=100)

    def write() -> Attendance:
        where, who = grid, person
        if who is not None:
            who = _visible(actor, who)
            where = who.grid
        where = _grid_for(actor, where)
        row = Attendance.objects.create(kind=kind, worker=actor, grid=where,
                                        community=where.ancestor_at(RegionLevel.COMMUNITY), key_person=who,
                                        at=at, place=place, note=note, client_id=client_id)
        events.emit(events.ATTENDED, row, actor=actor, payload={"kind": kind, "grid_id": where.pk,
                                                                 "community_id": row.community_id,
                                                                 "at": at.isoformat()})
        return row

    return _once(Attendance, client_id, actor, write)


def _route_recipients(kind: str, grid: Region) -> tuple[list, str]:
    """Who receives an information report of ``kind`` from ``grid``, and a label of where it went."""
    route = QuickReportRoute.objects.select_related("department").filter(kind=kind).first()
    users, labels = [], []
    if route is not None:
        if route.department_id:
            users += [a.user for a in RoleAssignment.objects.filter(
                department=route.department, role=Role.DEPARTMENT_OFFICER, is_active=True, user__is_active=True)
                .select_related("user")]
            labels.append(route.department.name)
        if route.role:
            users += selectors.holders_covering(grid, route.role)
            labels.append(office_text(Role(route.role).label))
    else:
        role = getattr(settings, "WANGGE_QUICK_REPORT_DEFAULT_ROLE", Role.COMMUNITY_SECRETARY)
        users += selectors.holders_covering(grid, role)
        labels.append(office_text(Role(role).label))
    return users, "、".join(labels)


def _leaders_of(grid: Region) -> list:
    """The sub-district leaders over ``grid`` (any leader above it, when it has none)."""
    leaders = selectors.holders_covering(grid, Role.LEADER)
    subdistrict = grid.ancestor_at(RegionLevel.SUBDISTRICT)
    own = [u for u in leaders if subdistrict and any(a.role == Role.LEADER and a.region_id == subdistrict.pk
                                                     for a in u.role_assignments)]
    return own or leaders


def quick_report(*, actor, kind: str, note: str = "", place: str = "", grid: Region | None = None,
                 longitude: float | None = None, latitude: float | None = None,
                 at: dt.datetime | None = None, now: dt.datetime | None = None, client_id=None) -> QuickReport:
    """六报 — one tap from the street. Damage, dirt and hazards open a case (channel patrol, the
    worker as reporter); pregnancy and incoming population are information for their office (the
    configured ``QuickReportRoute``) and never a case; instability goes to the sub-district
    leaders at once (and to the configured office, if any). A report that files a case or alerts
    the leaders must say where or what: a place or a note (else nothing is written). Once per
    ``client_id`` (the form's token): the same tap sent twice files one case, tells people once."""
    _require_role(actor)
    client_id = _client_id(client_id)
    if kind not in QuickReportKind.values:
        raise BadKeyPersonInput(_("Unknown report."), fields={"kind": "invalid"})
    at = _when(at, now=now or timezone.now(), field="at")
    note = _text(note, field="note", max_length=500)
    place = _text(place, field="place", max_length=100)
    label = QuickReportKind(kind).label  # lazy: rendered in the office language where it is stored
    said = office_text(gettext_lazy("%(note)s (%(place)s)"), {"note": note, "place": place}) if place and note \
        else note or place

    def write() -> QuickReport:
        in_grid = _grid_for(actor, grid)
        if kind in NEEDS_WORDS and not (note or place):
            # A case titled only "damaged public facilities", or the leaders told "instability: —",
            # sends nobody anywhere: say where it is or what was seen.
            raise BadKeyPersonInput(_("Say where it is or what you saw: fill in the place or the note."),
                                    fields={"note": "required", "place": "required"})
        report = QuickReport(kind=kind, worker=actor, grid=in_grid, community=in_grid.ancestor_at(RegionLevel.COMMUNITY),
                             at=at, place=place, note=note, longitude=longitude, latitude=latitude,
                             client_id=client_id)
        if kind in CASE_REPORTS:
            title = office_text(gettext_lazy("%(kind)s (%(place)s)"), {"kind": label, "place": place}) if place \
                else office_text(label)
            report.case = create_case(actor=actor, channel=Channel.PATROL, title=title[:200],
                                      description=office_text(gettext_lazy("%(kind)s: %(what)s"),
                                                              {"kind": label, "what": said}),
                                      region=None if longitude is not None else in_grid, longitude=longitude,
                                      latitude=latitude, address=place, submitted_at=at)
            report.routed_to = report.case.number
            report.save()
        else:
            recipients, where = ([], "")
            if kind in INFO_REPORTS:
                recipients, where = _route_recipients(kind, in_grid)
                notice_kind = KIND_INFO_REPORT
            else:  # URGENT_REPORTS
                recipients = _leaders_of(in_grid)
                where = office_text(gettext_lazy("Sub-district leaders"))
                if QuickReportRoute.objects.filter(kind=kind).exists():
                    more, more_where = _route_recipients(kind, in_grid)
                    recipients += more
                    where = f"{where}、{more_where}"
                notice_kind = KIND_INSTABILITY
            report.routed_to = where[:200]
            report.save()
            message = office_text(gettext_lazy("%(kind)s reported in %(grid)s by %(worker)s: %(note)s"), {
                "kind": label, "grid": in_grid.name, "worker": str(actor), "note": said or "—"})
            report.notified = notify(recipients=recipients, kind=notice_kind, message=message, subject=report,
                                     url="")
            report.save(update_fields=["notified"])
        events.emit(events.QUICK_REPORT, report, actor=actor, payload={
            "kind": kind, "grid_id": in_grid.pk, "community_id": report.community_id, "at": at.isoformat(),
            "case_id": report.case_id, "routed_to": report.routed_to})
        return report

    return _once(QuickReport, client_id, actor, write)

