"""On the spot (就地办结): a grid worker files what they found on patrol and resolves it at once.

"小事不出网格" (S2): a small problem the worker handles where they stand — a bin moved back, a
stall asked to pull in — is still recorded as a case, so it counts in the figures (resolved,
on time). The worker may file (``create_case``) and claim (``claim_case``) a case of their grid,
but accepting is a dispatcher's step; this action is the one place a worker accepts, and only a
case they file themselves, in their own territory, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.core.language import office_text
from wangge.org.models import User
from wangge.workdays.calendar import load_calendar

from .. import permissions
from ..choices import CaseStatus, EventType, HandlingType
from ..errors import ActionForbidden, InvalidInput
from ..events import record_event
from ..models import Case, Category
from ..transitions import check_transition
from .base import RESULT_MAX_LENGTH, _clean_text, _lock, _save
from .clock import _alert_provisional, _refresh_clock
from .dispatch import claim_case
from .handling import resolve_case
from .intake import create_case
from .triage import CLASSIFY_FIELDS, _apply_classification


@transaction.atomic
def file_and_resolve_on_the_spot(*, actor: User, category: Category | None, result: str,
                                 attachments: Sequence = (), result_attachments: Sequence = (),
                                 **fields) -> Case:
    """就地办结 — file a case the worker found (``create_case``, every check of intake), accept it
    as the worker of its grid, claim it (``claim_case``) and resolve it (``resolve_case``), all
    or nothing. Only a field role (``CLAIMER_ROLES``) whose territory holds the case may do it.
    Idempotent like ``create_case`` when ``external_id`` is given (a replay returns the case)."""
    if not isinstance(actor, User):
        raise ActionForbidden(_("Only a staff member can resolve a case on the spot."))
    if category is None:
        raise InvalidInput(_("Choose a category before accepting."), fields={"category": "required"})
    result = _clean_text(result, field="result", label=_("The result"), required=True, max_length=RESULT_MAX_LENGTH)
    fields.setdefault("handling_type", HandlingType.GENERAL)
    case = create_case(actor=actor, category=category, attachments=attachments, **fields)
    if getattr(case, "replayed", False):
        return case
    case = _lock(case)
    if not permissions.in_territory(actor, case, permissions.CLAIMER_ROLES):
        raise ActionForbidden(_("Only a worker of this grid can resolve a case on the spot."))
    check_transition("accept", case.status)
    now = timezone.now()
    changes = _apply_classification(case, category=None, star=None, handling_type=None, calendar=load_calendar())
    case.status, case.accepted_at = CaseStatus.ACCEPTED, now
    _save(case, [*CLASSIFY_FIELDS, "status", "accepted_at", *_refresh_clock(case, now)])
    record_event(case, EventType.ACCEPTED, actor=actor, from_status=CaseStatus.SUBMITTED,
                 to_status=CaseStatus.ACCEPTED, data={**changes, "on_the_spot": True},
                 note=office_text(gettext_lazy("Accepted on the spot by the grid worker who found it.")))
    _alert_provisional(case)
    case = claim_case(case=case, actor=actor)
    return resolve_case(case=case, actor=actor, result=result, attachments=result_attachments)
