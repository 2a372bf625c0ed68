"""居民 — the writes on residents: find or create them, link their identities, show and erase
their personal data.

Every function is keyword-only and runs in one transaction (joining the caller's, e.g.
``create_case``). Residents know nothing of the apps above them: what those apps must do when two
residents are merged or one is erased is announced through ``wangge.residents.signals``, sent
inside the same transaction; what keeps a resident from being erased is asked through the checks
registered in ``wangge.residents.retention``.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models import Case as CaseWhen
from django.db.models import F, Value, When
from django.db.models.expressions import Col
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.core.errors import InvalidInput, InvalidState
from wangge.core.models import PendingReaction

from .choices import DataRequestStatus
from .errors import (
    InvalidPhone,
    OpenBusiness,
    PhoneTaken,
    ResidentDataForbidden,
    ResidentGone,
)
from .masking import normalise_phone, redact_rows, redactor, valid_phone
from .models import (
    PersonalDataRequest,
    Resident,
    ResidentAccessLog,
    SelfAccessLog,
    VerificationCode,
    WechatIdentity,
)
from .retention import open_business
from .selectors import posts_of
from .signals import resident_anonymised, residents_merged

# A concurrent writer (a first report from the same phone, an erasure) can make an attempt miss;
# the next attempt sees the committed row. More than a few misses means something else is wrong.
_ATTEMPTS = 3


# ---------------------------------------------------------------------------------------------
# Finding residents
# ---------------------------------------------------------------------------------------------


def _touch(resident: Resident, *, at: dt.datetime, name: str = "") -> bool:
    """Move ``last_seen_at`` forward and fill in ``name`` if the resident had none — one UPDATE
    that leaves erased and merged rows alone. False if the row is (now) such a row."""
    updates = {"last_seen_at": CaseWhen(When(last_seen_at__lt=at, then=Value(at)), default=F("last_seen_at"))}
    if name:
        updates["name"] = CaseWhen(When(name="", then=Value(name)), default=F("name"))
    done = Resident.objects.filter(pk=resident.pk, anonymised_at__isnull=True, merged_into__isnull=True).update(
        **updates
    )
    if done:
        resident.last_seen_at = max(resident.last_seen_at, at)
        resident.name = resident.name or name
    return bool(done)


def resident_for_report(*, name: str, phone: str, anonymous: bool) -> Resident | None:
    """The reporter of a new case, found or created by phone — called by ``create_case`` inside
    its transaction.

    None for an anonymous report, a report without a phone, or a phone that is not a phone number
    (the case keeps what was typed in its snapshot; a resident keyed on "不详" would gather every
    such case). The phone is *not* marked verified: a number typed by a clerk proves nothing.
    The name is filled in only if the resident had none (a clerk's spelling never overwrites).

    One statement on the intake path: an upsert on the unique phone (``INSERT … ON CONFLICT …
    DO UPDATE … RETURNING``, PostgreSQL and SQLite ≥ 3.35) that creates the resident or moves
    its ``last_seen_at`` on. Race-safe: two first reports from the same new phone at once give
    one resident; an erased or merged row has no phone, so a report never lands on it.
    """
    number = normalise_phone(phone)
    if anonymous or not number or not valid_phone(number):
        return None
    name = (name or "").strip()[: Resident._meta.get_field("name").max_length]
    now = timezone.now()
    return _upsert_by_phone(Resident(name=name, phone=number, created_at=now, last_seen_at=now))


def resident_for_proven_phone(*, phone: str) -> Resident:
    """The resident of a number its holder just proved by a text-message code, made now (holding
    the number alone) if it had none — for 我的个人信息, when a number known only from anonymous
    reports sends a request (``personal_data.create_data_request``), never at sign-in. The phone
    counts as verified. Race-safe as ``resident_for_report``: the same upsert on the unique phone."""
    number = normalise_phone(phone)
    if not valid_phone(number):
        raise InvalidPhone(fields={"phone": "invalid"})
    now = timezone.now()
    resident = _upsert_by_phone(Resident(phone=number, phone_verified_at=now, created_at=now, last_seen_at=now))
    if resident.phone_verified_at is None:  # an earlier resident of the number (a report typed by a clerk)
        Resident.objects.filter(pk=resident.pk, phone_verified_at__isnull=True).update(phone_verified_at=now)
        resident.phone_verified_at = now
    return resident


@transaction.atomic
def household_of(*, resident: Resident, unit=None, room: str = ""):
    """户 — the household ``resident`` belongs to; a new one (at ``unit``, a unit or building of
    the territory, with ``room``) when they have none yet. Race-safe: the resident row is locked,
    so two callers at once give one household."""
    from .models import Household

    locked = Resident.objects.select_for_update().get(pk=resident.pk)
    if locked.household_id is None:
        household = Household.objects.create(unit=unit, room=(room or "").strip()[:40])
        locked.household = household
        locked.save(update_fields=["household"])
    resident.household_id = locked.household_id
    return locked.household


def _upsert_by_phone(new: Resident) -> Resident:
    meta = Resident._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    columns = ", ".join(qn(f.column) for f in fields)
    returning = ", ".join(qn(f.column) for f in meta.concrete_fields)
    params = [f.get_db_prep_save(getattr(new, f.attname), connection) for f in fields]
    seen, name = qn("last_seen_at"), qn("name")
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({qn('phone')}) WHERE NOT ({qn('phone')} = '') DO UPDATE SET "
        f"{seen} = CASE WHEN {table}.{seen} < EXCLUDED.{seen} THEN EXCLUDED.{seen} ELSE {table}.{seen} END, "
        f"{name} = CASE WHEN {table}.{name} = '' THEN EXCLUDED.{name} ELSE {table}.{name} END "
        f"RETURNING {returning}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    values = []
    for field, value in zip(meta.concrete_fields, row):  # as the ORM would read them (SQLite dates)
        col = Col(meta.db_table, field)
        for convert in [*connection.ops.get_db_converters(col), *field.get_db_converters(connection)]:
            value = convert(value, col, connection)
        values.append(value)
    return Resident.from_db(connection.alias, [f.attname for f in meta.concrete_fields], values)


def resident_for_wechat(*, app_id: str, openid: str) -> Resident:
    """The resident behind a WeChat OpenID of one official account, created on first sight."""
    app_id, openid = (app_id or "").strip(), (openid or "").strip()
    if not app_id or not openid:
        raise InvalidInput(fields={"openid": "required"})
    now = timezone.now()
    for _attempt in range(_ATTEMPTS):
        identity = WechatIdentity.objects.select_related("resident").filter(app_id=app_id, openid=openid).first()
        if identity is not None:
            if _touch(identity.resident, at=now):
                return identity.resident
            continue  # erased or merged meanwhile: look again
        try:
            with transaction.atomic():
                resident = Resident.objects.create(created_at=now, last_seen_at=now)
                WechatIdentity.objects.create(resident=resident, app_id=app_id, openid=openid, created_at=now)
                return resident
        except IntegrityError:
            continue  # the same OpenID's first visit, in another request: read its resident
    raise InvalidState()


def note_resident_activity(*, resident: Resident, at: dt.datetime | None = None) -> None:
    """Restart the retention clock (a rating, a credit entry, a visit …)."""
    _touch(resident, at=at or timezone.now())


# ---------------------------------------------------------------------------------------------
# Linking a phone (and merging two residents who are one person)
# ---------------------------------------------------------------------------------------------


def _lock(*pks: int) -> dict[int, Resident]:
    """Lock the rows in pk order (two merges of the same pair never deadlock)."""
    return {r.pk: r for r in Resident.objects.select_for_update().filter(pk__in=pks).order_by("pk")}


def link_phone(*, resident: Resident, phone: str, verified: bool) -> Resident:
    """Give ``resident`` the phone ``phone`` (verified: by an SMS code, WeChat's phone button …).

    If another resident already has that phone and it was *verified* now, the two are one person:
    they are merged into the phone's owner (the one the earlier cases hang on), which is returned.
    The merged row keeps its id, emptied, with ``merged_into`` pointing to the one kept; its
    WeChat identities, household and access log move over, and ``residents_merged(kept, merged)``
    is sent inside the transaction so the apps above re-point their own rows. An unverified phone
    of another resident is refused (``PhoneTaken``): typing a number proves nothing.

    A resident who already has another phone gets the new one (the old one is dropped, and on a
    merge the old one goes with the merged row).
    """
    number = normalise_phone(phone)
    if not valid_phone(number):
        raise InvalidPhone(fields={"phone": "invalid"})
    now = timezone.now()
    for _attempt in range(_ATTEMPTS):
        with transaction.atomic():
            owner_pk = (
                Resident.objects.filter(phone=number).exclude(pk=resident.pk).values_list("pk", flat=True).first()
            )
            rows = _lock(resident.pk, *([owner_pk] if owner_pk else []))
            me = rows.get(resident.pk)
            if me is None or me.anonymised_at or me.merged_into_id:
                raise ResidentGone()
            owner = rows.get(owner_pk) if owner_pk else None
            if owner_pk and (owner is None or owner.phone != number):
                continue  # the owner changed between the look and the lock: look again
            if owner is None:
                try:
                    with transaction.atomic():
                        _set_phone(me, number, verified=verified, now=now)
                except IntegrityError:
                    continue  # someone reported from this phone meanwhile: now it has an owner
                _copy(me, resident)
                return resident
            if not verified:
                raise PhoneTaken(fields={"phone": "taken"})
            kept = _merge(kept=owner, merged=me, now=now)
            _copy(me, resident)
            return kept
    raise InvalidState()


def _set_phone(resident: Resident, number: str, *, verified: bool, now: dt.datetime) -> None:
    if resident.phone == number:
        if verified and not resident.phone_verified_at:
            resident.phone_verified_at = now
    else:
        resident.phone = number
        resident.phone_verified_at = now if verified else None
    resident.last_seen_at = max(resident.last_seen_at, now)
    resident.save(update_fields=["phone", "phone_verified_at", "last_seen_at"])


def _copy(source: Resident, target: Resident) -> None:
    """Bring the caller's object up to date with the row written."""
    for field in ("name", "phone", "phone_verified_at", "household_id", "created_at", "last_seen_at",
                  "anonymised_at", "anonymised_reason", "anonymised_by_id", "merged_into_id"):
        setattr(target, field, getattr(source, field))


def _merge(*, kept: Resident, merged: Resident, now: dt.datetime) -> Resident:
    """Fold ``merged`` into ``kept`` (both locked)."""
    WechatIdentity.objects.filter(resident=merged).update(resident=kept)
    ResidentAccessLog.objects.filter(resident=merged).update(resident=kept)
    SelfAccessLog.objects.filter(resident=merged).update(resident=kept)
    # Their requests follow them; a pending one of a kind ``kept`` is already waiting on stays
    # (one pending request per kind and resident).
    waiting = PersonalDataRequest.objects.filter(resident=kept, status=DataRequestStatus.PENDING).values("kind")
    (PersonalDataRequest.objects.filter(resident=merged)
     .exclude(status=DataRequestStatus.PENDING, kind__in=waiting).update(resident=kept))
    Resident.objects.filter(merged_into=merged).update(merged_into=kept)
    kept.phone_verified_at = kept.phone_verified_at or now
    kept.name = kept.name or merged.name
    kept.household_id = kept.household_id or merged.household_id
    kept.created_at = min(kept.created_at, merged.created_at)
    kept.last_seen_at = max(kept.last_seen_at, merged.last_seen_at, now)
    merged.name, merged.phone, merged.phone_verified_at, merged.household_id = "", "", None, None
    merged.merged_into = kept
    merged.save(update_fields=["name", "phone", "phone_verified_at", "household", "merged_into"])
    kept.save(update_fields=["phone_verified_at", "name", "household", "created_at", "last_seen_at"])
    residents_merged.send(sender=Resident, kept=kept, merged=merged)
    return kept


# ---------------------------------------------------------------------------------------------
# Showing and erasing personal data
# ---------------------------------------------------------------------------------------------


def viewer_posts(actor) -> list[list[str]]:
    """The posts ``actor`` holds now, for the access log they are about to write (the resident is
    later told of the view by the post held at the time, ``selectors.viewer_roles``)."""
    return posts_of([actor.pk]).get(actor.pk, []) if getattr(actor, "pk", None) else []


def reveal_resident(*, resident: Resident, actor, purpose: str, allowed: bool,
                    ip_address: str | None = None) -> dict:
    """The unmasked name and phone of ``resident`` for ``actor`` — every attempt logged.

    The caller decides ``allowed`` (cases knows its roles and scopes; see
    ``wangge.org.scope.can_see_reporter``); this function only records the attempt and answers.
    Refused: ``ResidentDataForbidden`` is raised *after* the log row is written — call it outside
    any transaction that the refusal would roll back, or the refused attempt leaves no trace.
    """
    with transaction.atomic():
        ResidentAccessLog.objects.create(
            resident=resident, user=actor, purpose=(purpose or "")[:64], granted=bool(allowed),
            ip_address=ip_address or None, viewer_posts=viewer_posts(actor),
        )
    if not allowed:
        raise ResidentDataForbidden()
    return {
        "id": resident.pk,
        "name": resident.name,
        "phone": resident.phone,
        "phone_verified": resident.phone_verified_at is not None,
    }


def _redact_pending_reactions(*, phone: str, name: str) -> int:
    """The domain events still waiting for a reaction (or given up, kept for an admin's retry)
    may quote the erased number or name — a case event's note, a need's text: redacted like the
    rest. Few rows (they are deleted once handled), so all are read; only ``event`` is written,
    which the worker never writes, so nothing is locked."""
    return len(redact_rows(PendingReaction.objects.order_by("pk"), redactor(phones=[phone], names=[name]), ["event"]))


def anonymise_resident(*, resident: Resident, actor=None, reason: str) -> Resident:
    """PIPL erasure (删除/匿名化): blank the name and phone, delete the WeChat identities and the
    household link, keep the row — so every case, rating and figure that counts it stays whole.

    Refused (``OpenBusiness``) while a check registered in ``wangge.residents.retention`` gives a
    reason (cases: "has open cases"). ``resident_anonymised(resident)`` is sent inside the
    transaction so the apps above blank their own copies (a case's reporter snapshot).
    """
    with transaction.atomic():
        row = _lock(resident.pk).get(resident.pk)
        if row is None:
            raise ResidentGone()
        if row.anonymised_at:
            raise ResidentGone(_("This resident was already anonymised."))
        reasons = open_business(row)
        if reasons:
            raise OpenBusiness(reasons)
        # What was erased, for the apps that keep a copy by its value rather than by the resident
        # (the outbox holds the number and OpenIDs it sent to).
        phone, name, household_id = row.phone, row.name, row.household_id
        openids = sorted(set(WechatIdentity.objects.filter(resident=row).values_list("openid", flat=True)))
        WechatIdentity.objects.filter(resident=row).delete()
        # What they wrote in a correction or deletion request may be their data too; the requests
        # themselves stay (that they were made and answered is the office's record).
        PersonalDataRequest.objects.filter(resident=row).exclude(details="").update(details="")
        if phone:  # the codes sent to the number before it had a resident hold it
            VerificationCode.objects.filter(resident__isnull=True, phone=phone).delete()
        row.name, row.phone, row.phone_verified_at, row.household_id = "", "", None, None
        row.anonymised_at = timezone.now()
        row.anonymised_reason = (reason or "")[:200]
        row.anonymised_by = actor if getattr(actor, "pk", None) else None
        row.save(update_fields=["name", "phone", "phone_verified_at", "household", "anonymised_at",
                                "anonymised_reason", "anonymised_by"])
        resident_anonymised.send(sender=Resident, resident=row, phone=phone, openids=openids, name=name,
                                 household_id=household_id)
        _redact_pending_reactions(phone=phone, name=name)
    _copy(row, resident)
    return resident
