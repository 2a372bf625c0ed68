"""When a resolved case may be closed (结案) — read by the close action, the workbench and the API.

The design (§3): resolved → revisit (回访, 三看) + rating → closed. The seed (S2, "爱心回访") has
the office call the resident back or check on site and record three things. So a case is closed:

* after the revisit of its current answer has been recorded (the three checks), with the
  resident's rating — or, when the resident would not rate, with that on record; or
* without a revisit only for a reason that holds and is recorded on the close:
  ``no_contact`` — nobody to call back (an anonymous report without a phone, a problem a worker
  found); ``unreachable`` — the resident was called ``revisit_attempts_needed()`` times without
  being reached (each attempt recorded as ``revisit_failed`` on the timeline).

Everything here only reads; ``actions.close_case`` and ``actions.record_revisit_attempt`` write.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .choices import EventType

# Callbacks that did not reach the resident before the case may be closed without a revisit.
DEFAULT_REVISIT_ATTEMPTS = 3


class NoRevisit(models.TextChoices):
    """Why a case is closed without a revisit (recorded on the close)."""

    NO_CONTACT = "no_contact", _("Nobody to call back: no phone number was left (anonymous, or found by a worker)")
    UNREACHABLE = "unreachable", _("The resident could not be reached after repeated callbacks")


def revisit_attempts_needed() -> int:
    return max(1, int(getattr(settings, "WANGGE_REVISIT_ATTEMPTS", DEFAULT_REVISIT_ATTEMPTS)))


def contact_phone(case) -> str:
    """The phone number the office can call the resident back on, or ""."""
    reporter = case.reporter if case.reporter_id else None
    return (case.reporter_phone or (reporter.phone if reporter is not None else "") or "").strip()


def revisited_now(case) -> bool:
    """The current answer has been revisited (a reopened and re-resolved case is revisited anew)."""
    return case.revisited_at is not None and case.resolved_at is not None and case.revisited_at >= case.resolved_at


# 不同时段: a callback counts towards "not reachable" only this long after the last one that
# counted — three calls in one minute are one try, not three.
DEFAULT_REVISIT_ATTEMPT_GAP_MINUTES = 60


def revisit_attempt_gap() -> dt.timedelta:
    minutes = int(getattr(settings, "WANGGE_REVISIT_ATTEMPT_GAP_MINUTES", DEFAULT_REVISIT_ATTEMPT_GAP_MINUTES))
    return dt.timedelta(minutes=max(0, minutes))


def counted_attempt_times(case) -> list[dt.datetime]:
    """When the counted failed callbacks of the current answer were made, oldest first."""
    from .models import CaseEvent

    events = CaseEvent.objects.filter(case_id=case.pk, type=EventType.REVISIT_FAILED)
    if case.resolved_at is not None:
        events = events.filter(created_at__gte=case.resolved_at)
    counted: list[dt.datetime] = []
    for at in events.order_by("created_at", "pk").values_list("created_at", flat=True):
        if attempt_would_count(counted, at):
            counted.append(at)
    return counted


def failed_attempts(case) -> int:
    """Callbacks of the current answer that did not reach the resident, counting only those made
    at least ``revisit_attempt_gap()`` after the previous counted one (不同时段)."""
    return len(counted_attempt_times(case))


def attempt_would_count(counted: list[dt.datetime], at: dt.datetime) -> bool:
    """Whether a failed callback at ``at`` counts, after the ``counted`` ones (``counted_attempt_times``)."""
    return not counted or at - counted[-1] >= revisit_attempt_gap()


def no_revisit_reasons(case) -> list[str]:
    """The reasons for closing without a revisit that hold for ``case`` now."""
    if revisited_now(case):
        return []
    if not contact_phone(case):
        return [NoRevisit.NO_CONTACT]
    if failed_attempts(case) >= revisit_attempts_needed():
        return [NoRevisit.UNREACHABLE]
    return []


def closing_blocker(case) -> str | None:
    """Why ``case`` cannot be closed yet, in the user's language; None: it can (with the input
    ``close_case`` asks for)."""
    if revisited_now(case) or no_revisit_reasons(case):
        return None
    needed, made = revisit_attempts_needed(), failed_attempts(case)
    first = str(_("Revisit the resident first (回访, 三看): a case is closed once the callback is recorded."))
    if made:
        then = ngettext(
            "%(made)d callback did not reach the resident; after %(needed)d it may be closed as not reachable.",
            "%(made)d callbacks did not reach the resident; after %(needed)d it may be closed as not reachable.",
            made) % {"made": made, "needed": needed}
    else:
        then = str(_("If the resident cannot be reached, record each callback that fails: after %(needed)d "
                     "the case may be closed as not reachable.")) % {"needed": needed}
    if made:
        then = str(_("%(first)s %(then)s")) % {"first": then, "then": _(
            "Callbacks count at different times: at least %(minutes)d minutes apart.") % {
            "minutes": int(revisit_attempt_gap().total_seconds() // 60)}}
    # Two sentences: a space between them in English, none in Chinese.
    return str(_("%(first)s %(then)s")) % {"first": first, "then": then}


def revisit_attempt_blocker(case) -> str | None:
    """A callback attempt needs a number to call."""
    if not contact_phone(case):
        return str(_("No phone number was left: there is nobody to call back."))
    return None
