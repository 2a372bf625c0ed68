"""The allowed (from → to) status pairs of every action — declared once, with the action, in
``cases.registry``; this module checks them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .choices import CaseStatus as S
from .errors import InvalidTransition
from .registry import OPEN, WORKING, Transition, allowed_actions, blocker, case_actions  # noqa: F401


def __getattr__(name):
    # ``TRANSITIONS``: the registry seen as the old table (name → Transition), always current.
    if name == "TRANSITIONS":
        return {a.name: a.transition for a in case_actions.values()}
    raise AttributeError(name)


def check_transition(action: str, status: str) -> Transition:
    spec = case_actions[action]
    if status not in spec.transition.sources:
        if status in spec.refusals:
            raise InvalidTransition(str(spec.refusals[status]))
        raise InvalidTransition(
            _("This case is %(status)s; it cannot be %(action)s now.")
            % {"status": S(status).label, "action": spec.past}
        )
    return spec.transition


def check_guard(action: str, case) -> None:
    """Refuse ``action`` when its guard says it cannot be taken on ``case`` now (see
    ``CaseActionType.guard``): the same words the workbench shows beside the greyed-out button."""
    reason = blocker(action, case)
    if reason:
        raise InvalidTransition(reason)
