"""The writes of the work diary: free notes, the weather, closing a day, corrections, sign-off.

A closed day is not edited (every action locks the day row and refuses a change on a closed
one); what is learnt later is a correction note, dated when written."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core.errors import NotFound
from wangge.org.choices import RegionLevel
from wangge.org.models import RoleAssignment
from wangge.org.scope import Scope

from . import days, selectors
from .choices import DayStatus, NoteSection
from .errors import BadDiaryInput, DayClosed, DayNotClosed, DiaryForbidden
from .models import DiaryDay, DiaryNote
from .sources import lines_for


def _text(value, *, field: str, max_length: int, required: bool = True) -> str:
    if value is not None and not isinstance(value, str):
        raise BadDiaryInput(_("Give text."), fields={field: "invalid"})
    text = (value or "").strip()
    if required and not text:
        raise BadDiaryInput(_("Write something."), fields={field: "required"})
    if len(text) > max_length:
        raise BadDiaryInput(_("Too long (at most %(n)s characters).") % {"n": max_length}, fields={field: "too_long"})
    return text


def _day_row(worker, day: dt.date, *, lock: bool = True) -> DiaryDay:
    """The worker's row for ``day`` (made on first use, race-safe), locked."""
    grid = selectors.home_grid(worker)
    try:
        with transaction.atomic():
            DiaryDay.objects.get_or_create(worker=worker, day=day, defaults={
                "grid": grid, "community": grid.ancestor_at(RegionLevel.COMMUNITY) if grid else None})
    except IntegrityError:
        pass  # made by a concurrent request: read it below
    qs = DiaryDay.objects.filter(worker=worker, day=day)
    return (qs.select_for_update() if lock else qs).get()


def add_note(*, actor, day: dt.date, text: str, section: str = NoteSection.WORK) -> DiaryNote:
    """记日记 — the worker adds a free note to their own open day (today, or a past day not yet
    closed). On a closed day: refused (``DayClosed``) — use ``add_correction``."""
    if not selectors.keeps_diary(actor):
        raise DiaryForbidden()
    if section not in NoteSection.values:
        raise BadDiaryInput(_("Unknown column."), fields={"section": "invalid"})
    if not isinstance(day, dt.date) or day > days.today():
        raise BadDiaryInput(_("Choose today or an earlier day."), fields={"day": "invalid"})
    text = _text(text, field="text", max_length=2000)
    with transaction.atomic():
        row = _day_row(actor, day)
        if not row.is_open:
            raise DayClosed()
        return DiaryNote.objects.create(diary_day=row, author=actor, section=section, text=text,
                                        written_at=timezone.now())


def set_weather(*, actor, day: dt.date, weather: str) -> DiaryDay:
    if not selectors.keeps_diary(actor):
        raise DiaryForbidden()
    weather = _text(weather, field="weather", max_length=40, required=False)
    with transaction.atomic():
        row = _day_row(actor, day)
        if not row.is_open:
            raise DayClosed()
        row.weather = weather
        row.save(update_fields=["weather"])
    return row


def add_correction(*, actor, diary_day: DiaryDay, text: str, section: str = NoteSection.NOTE) -> DiaryNote:
    """更正 — a dated note on a closed day, by the worker or a supervisor who may read it."""
    text = _text(text, field="text", max_length=2000)
    if section not in NoteSection.values:
        raise BadDiaryInput(_("Unknown column."), fields={"section": "invalid"})
    with transaction.atomic():
        row = DiaryDay.objects.select_for_update().filter(pk=getattr(diary_day, "pk", None)).first()
        if row is None or not selectors.may_read(actor, row.worker, row.grid):
            raise NotFound()
        if row.is_open:
            raise DayNotClosed(_("The day is still open: add a note instead."))
        return DiaryNote.objects.create(diary_day=row, author=actor, section=section, text=text,
                                        is_correction=True, written_at=timezone.now())


def _freeze(row: DiaryDay) -> list[dict]:
    return [{**dataclasses.asdict(line), "at": line.at.isoformat()} for line in lines_for(row.worker, row.day)]


def close_day(*, diary_day: DiaryDay, now: dt.datetime | None = None) -> DiaryDay:
    """日终关账 — freeze the day's lines and close it (only once the day has ended)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = DiaryDay.objects.select_for_update().select_related("worker").get(pk=diary_day.pk)
        if not row.is_open:
            return row
        if row.day >= days.today(now):
            raise DayNotClosed(_("The day has not ended yet."))
        row.lines = _freeze(row)
        # Stamped under the lock: a note that held the lock first was written before it.
        row.status, row.closed_at = DayStatus.CLOSED, timezone.now()
        row.save(update_fields=["lines", "status", "closed_at"])
    return row


def close_ended_days(*, now: dt.datetime | None = None) -> int:
    """The end-of-day job: make yesterday's day for every field worker who has none, and close
    every open day that has ended. Safe to run twice (closing a closed day does nothing)."""
    now = now or timezone.now()
    today = days.today(now)
    yesterday = today - dt.timedelta(days=1)
    workers = {a.user for a in RoleAssignment.objects.filter(is_active=True, user__is_active=True,
                                                             role__in=list(selectors.DIARIST_ROLES))
               .select_related("user")}
    have = set(DiaryDay.objects.filter(day=yesterday).values_list("worker_id", flat=True))
    for worker in workers:
        if worker.pk not in have:
            _day_row(worker, yesterday, lock=False)
    closed = 0
    for row in DiaryDay.objects.filter(status=DayStatus.OPEN, day__lt=today).order_by("day", "pk"):
        close_day(diary_day=row, now=now)
        closed += 1
    return closed


def sign_off(*, actor, diary_day: DiaryDay, note: str = "") -> DiaryDay:
    """签阅 — the grid chief (or a superior over the grid) signs a closed day. Not one's own."""
    note = _text(note, field="note", max_length=300, required=False)
    with transaction.atomic():
        row = DiaryDay.objects.select_for_update().filter(pk=getattr(diary_day, "pk", None)).first()
        if row is None or not selectors.may_read(actor, row.worker, row.grid):
            raise NotFound()
        scope = Scope.of(actor)
        if row.worker_id == actor.pk or not (scope.everything or row.grid is not None and any(
                row.grid.path.startswith(r.path) for r in scope.regions_for(selectors.SUPERVISOR_ROLES))):
            raise DiaryForbidden(_("Only the grid chief or a superior signs off a worker's diary."))
        if row.status == DayStatus.OPEN:
            raise DayNotClosed(_("The day is still open: it is signed once closed."))
        if row.status == DayStatus.SIGNED:
            raise DayClosed(_("This day has already been signed off."))
        row.status, row.signed_by, row.signed_at, row.sign_note = DayStatus.SIGNED, actor, timezone.now(), note
        row.save(update_fields=["status", "signed_by", "signed_at", "sign_note"])
    return row

