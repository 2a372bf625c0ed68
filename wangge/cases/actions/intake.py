"""Intake (受理登记): filing a case from any channel."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core.actors import Actor
from wangge.org.choices import RegionLevel
from wangge.org.models import Region, User
from wangge.residents.masking import normalise_phone, valid_phone
from wangge.residents.services import resident_for_report
from wangge.workdays.calendar import load_calendar

from .. import permissions
from ..attachments import validate_uploads
from ..channels import channels, may_file_on
from ..choices import (
    CaseLevel,
    CaseStatus,
    EventType,
    HandlingType,
    StarLevel,
)
from ..errors import ActionForbidden, IdempotencyKeyReused, InvalidInput
from ..events import jsonable, record_event
from ..mentions import note_mentions
from ..models import (
    Case,
    Category,
)
from .base import Target, _clean_text, _store_attachments, _territory_snapshot
from .clock import _alert_provisional, _policy_for, _refresh_clock, _set_deadlines, _within_source_deadline
from .dispatch import dispatch_case
from .numbering import _next_number
from .triage import _current_category, accept_case

# The first key of the advisory locks taken while filing with an external id ("WgIn").
INTAKE_LOCK_SPACE = 0x5767_496E


@transaction.atomic
def create_case(
    *,
    actor: Actor | User,
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
    source: str = "",
    external_id: str = "",
    idempotency_key: str = "",
    request_extra: Mapping | None = None,
    related=None,
    source_due_at: dt.datetime | None = None,
) -> Case:
    """受理登记 — file a new case from any channel, on behalf of ``actor`` (staff, a resident,
    the system or an integration: ``core.actors.Actor``; a user means staff).

    Idempotent: with an ``external_id`` (a WeChat MsgId, a 12345 order number, an Open311
    token) the case already filed under (``source``, ``external_id``) is returned as it is —
    however many retries arrive, and however concurrently, and whatever they carry (a channel
    that sends an edited report again under its id gets the case filed). The returned case then
    has ``replayed = True``.

    ``idempotency_key`` (an API client's Idempotency-Key header, instead of ``external_id``) is
    stricter, as draft-ietf-httpapi-idempotency-key-header §2.7 asks: a retry replays only if
    it carries the same report (the same fields, ``request_extra`` and photos); the same key
    with another report is refused (``IdempotencyKeyReused``, 422) and nothing is written.

    ``source_due_at`` (来源时限): the deadline the sending channel set, such as a 12345 work
    order's 办理时限; the case is never due later than it (it may already be past: the case
    then starts red), also after a reclassification; a later one leaves the policy's."""
    from wangge.org import geo

    now = timezone.now()
    actor = Actor.coerce(actor)
    if not may_file_on(channel, actor.kind):
        if channel not in channels:
            raise InvalidInput(_("Unknown channel."), fields={"channel": "invalid"})
        raise ActionForbidden(_("This channel does not take reports from you."))
    user = actor.user if actor.is_staff else None
    if user is not None and not permissions.can_file_cases(user):
        raise ActionForbidden(_("Your role cannot file cases."))
    fingerprint = ""
    if idempotency_key:
        if external_id:
            raise TypeError("create_case: give external_id or idempotency_key, not both")
        external_id = _clean_text(idempotency_key, field="Idempotency-Key", label=_("The Idempotency-Key header"),
                                  required=False, max_length=100)
        fingerprint = _fingerprint(
            {"channel": channel, "description": description, "title": title, "category": category, "region": region,
             "longitude": longitude, "latitude": latitude, "address": address, "reporter_name": reporter_name,
             "reporter_phone": reporter_phone, "reporter_anonymous": reporter_anonymous, "star": star,
             "handling_type": handling_type, "submitted_at": submitted_at,
             # Only when given: the fingerprints of reports filed before it was part of them stay valid.
             **({"source_due_at": source_due_at} if source_due_at is not None else {}), **(request_extra or {})},
            attachments,
        )
    else:
        external_id = _clean_text(external_id, field="external_id", label=_("External id"), required=False,
                                  max_length=100)
    source = (source or (channel if external_id else ""))[:32]
    if external_id:
        existing = _already_filed(source, external_id)
        if existing is not None:
            # A case filed before fingerprints were kept has none: it replays, as it did then.
            if fingerprint and existing.idempotency_fingerprint and existing.idempotency_fingerprint != fingerprint:
                raise IdempotencyKeyReused(fields={"Idempotency-Key": "reused"})
            return existing

    description = _clean_text(description, field="description", label=_("Description"), required=True, max_length=5000)
    title = _clean_text(title, field="title", label=_("Title"), required=False, max_length=120) or description[:30]
    address = _clean_text(address, field="address", label=_("Address"), required=False, max_length=200)
    reporter_name = _clean_text(reporter_name, field="reporter_name", label=_("Name"), required=False, max_length=50)
    # Stored as digits (full-width, spaces, dashes and +86 read away): a search or a duplicate
    # check by the caller's phone compares the same string however it was typed.
    reporter_phone = normalise_phone(reporter_phone)
    if reporter_anonymous:
        reporter_name = ""
    if reporter_phone and not valid_phone(reporter_phone):
        raise InvalidInput(_("The phone number is not valid."), fields={"reporter_phone": "invalid"})
    if reporter_anonymous:
        reporter = None
    else:
        reporter = resident_for_report(name=reporter_name, phone=reporter_phone, anonymous=False) if reporter_phone \
            else actor.resident
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

    if source_due_at is not None and (not isinstance(source_due_at, dt.datetime) or timezone.is_naive(source_due_at)):
        raise InvalidInput(_("Give a time with its time zone."), fields={"source_due_at": "invalid"})
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
        reporter=reporter,
        source=source,
        external_id=external_id,
        idempotency_fingerprint=fingerprint,
        source_due_at=source_due_at,
        created_by=user,
        sla_policy=_policy_for(category),
        submitted_at=submitted_at,
        **snapshot,
    )
    # Cases start at sub-district intake; "level" is who holds the case, not where it is.
    case.current_level = CaseLevel.SUBDISTRICT
    _set_deadlines(case, submitted_at, calendar)
    _within_source_deadline(case)
    _refresh_clock(case, now)
    # Numbering last: the day's sequence row stays locked for as short a time as possible.
    case.number = _next_number(submitted_at)
    case.save()
    note_mentions(case.pk, title, description, address)
    case.replayed = False
    event = record_event(
        case,
        EventType.CREATED,
        actor=user,
        actor_kind=actor.kind,
        to_status=CaseStatus.SUBMITTED,
        data={"channel": channel, "category": jsonable(category), "grid": jsonable(snapshot["grid"]),
              **({"source_due_at": jsonable(source_due_at)} if source_due_at else {})},
        at=submitted_at,
        related=related,
    )
    _store_attachments(case, event, checked, user)
    _alert_provisional(case)
    return case


def _fingerprint(report: dict, attachments: Sequence) -> str:
    """The digest of a report as its sender gave it — text trimmed, rows by id, photos by their
    content — which a retry under the same Idempotency-Key must match."""

    def plain(value):
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, dt.datetime):
            return value.isoformat()
        return getattr(value, "pk", value)

    digest = hashlib.sha256(json.dumps({k: plain(v) for k, v in report.items()}, sort_keys=True,
                                       ensure_ascii=False, default=str).encode())
    for upload in attachments:
        part = hashlib.sha256()
        if hasattr(upload, "chunks"):
            for chunk in upload.chunks():
                part.update(chunk)
            upload.seek(0)
        else:
            part.update(repr(upload).encode())
        digest.update(part.digest())
    return digest.hexdigest()


def _already_filed(source: str, external_id: str) -> Case | None:
    """The case filed under (source, external id), waiting for a concurrent filing of the same
    report to finish first (PostgreSQL: a transaction-level advisory lock on the pair; the unique
    constraint stays the last word)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [INTAKE_LOCK_SPACE, f"{source}\x1f{external_id}"])
    case = Case.objects.filter(source=source, external_id=external_id).first()
    if case is not None:
        case.replayed = True
    return case


def file_and_dispatch(*, actor: User, dispatch_now: bool = True, attachments: Sequence = (), **fields) -> Case:
    """热线一次办结派单 — file a case, and (``dispatch_now``) accept it and send it to its
    category's default department, all or nothing. The hotline page and the API both call this."""
    # Whether to dispatch at once is part of the request an Idempotency-Key stands for.
    fields["request_extra"] = {**(fields.get("request_extra") or {}), "dispatch_now": dispatch_now}
    if not dispatch_now:
        return create_case(actor=actor, attachments=attachments, **fields)  # no savepoint on the plain path
    with transaction.atomic():
        case = create_case(actor=actor, attachments=attachments, **fields)
        if getattr(case, "replayed", False):
            return case
        department = case.category.default_department if case.category else None
        if department is None:
            raise InvalidInput(_("This category has no default department; dispatch from the case page."),
                               fields={"category": "no_department"})
        case = accept_case(case=case, actor=actor)
        return dispatch_case(case=case, actor=actor, lead=Target(department=department))
