"""议定时限 — a deadline agreed for a case at a consultation table.

A bimonthly consultation (双月协商会) or a department consultation (部门会商) agrees a plan with a
lead department and the time it needs; that time becomes the case's resolve deadline, on the
record, with the reason (the meeting) — the same clock the sweep, the lights and the figures read.
"""

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

from ..choices import EventType, Stage
from ..errors import InvalidInput
from ..events import jsonable, record_event
from ..models import Case
from .base import _begin, _require_reason, _save
from .clock import _refresh_clock
from .notices import local_minute
from .recipients import _handlers

LONGEST = dt.timedelta(days=366)


@transaction.atomic
def agree_deadline(*, case: Case, actor: User, due_at: dt.datetime, reason: str) -> Case:
    """Set the resolve deadline agreed for ``case`` (议定时限); ``reason`` says where it was agreed."""
    case = _begin("agree_deadline", case, actor)
    reason = _require_reason(reason)
    if not isinstance(due_at, dt.datetime) or timezone.is_naive(due_at):
        raise InvalidInput(_("Give the agreed deadline as a date and time."), fields={"due_at": "invalid"})
    now = timezone.now()
    if due_at <= now:
        raise InvalidInput(_("The agreed deadline must be in the future."), fields={"due_at": "past"})
    if due_at > now + LONGEST:
        raise InvalidInput(_("The agreed deadline may be at most a year away."), fields={"due_at": "too_far"})
    old_due = case.resolve_due_at
    case.resolve_due_at = due_at
    case.deadline_provisional = False
    if case.breached_stage == Stage.RESOLVE:
        case.breached_stage = ""
    _save(case, ["resolve_due_at", "deadline_provisional", "breached_stage", *_refresh_clock(case, now)])
    record_event(case, EventType.DEADLINE_AGREED, actor=actor,
                 data={"resolve_due_at": [jsonable(old_due), jsonable(due_at)]}, note=reason)
    notify(recipients=[u for u in _handlers(case) if u.pk != actor.pk], kind=NotificationKind.EXTENSION, case=case,
           message=office_text(gettext_lazy("%(number)s must now be resolved by %(due)s (%(reason)s)."),
                               {"number": case.number, "due": local_minute(due_at), "reason": reason}))
    return case
