"""The allowed (from → to) status pairs of every action. One table; actions consult it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import CaseStatus as S
from .errors import InvalidTransition

OPEN = frozenset({S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.SUSPENDED})
WORKING = frozenset({S.DISPATCHED, S.IN_PROGRESS})


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    # None: the status stays as it is (a note, a reclassification...) or depends on the case.
    target: str | None


TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(frozenset({S.SUBMITTED}), S.ACCEPTED),
    "reject": Transition(frozenset({S.SUBMITTED, S.ACCEPTED}), S.REJECTED),
    "classify": Transition(OPEN, None),
    "dispatch": Transition(frozenset({S.ACCEPTED}), S.DISPATCHED),
    # A level (a community, a grid) that holds a case passes it on (转派).
    "redispatch": Transition(WORKING, S.DISPATCHED),
    "claim": Transition(frozenset({S.ACCEPTED, S.DISPATCHED}), S.IN_PROGRESS),
    "report_in": Transition(WORKING, None),
    "return": Transition(WORKING, S.ACCEPTED),
    "progress": Transition(WORKING | {S.SUSPENDED}, None),
    "request_extension": Transition(WORKING, None),
    "decide_extension": Transition(WORKING | {S.SUSPENDED}, None),
    "suspend": Transition(WORKING, S.SUSPENDED),
    "resume": Transition(frozenset({S.SUSPENDED}), None),  # back to where it was
    "resolve": Transition(WORKING, S.RESOLVED),
    "escalate": Transition(frozenset({S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS}), S.ACCEPTED),
    "revisit": Transition(frozenset({S.RESOLVED}), None),
    "rate": Transition(frozenset({S.RESOLVED}), None),
    "reopen": Transition(frozenset({S.RESOLVED, S.CLOSED}), None),  # dispatched or accepted
    "close": Transition(frozenset({S.RESOLVED}), S.CLOSED),
    "merge": Transition(OPEN, S.MERGED),
    "urge": Transition(OPEN - {S.SUSPENDED}, None),
}


def check_transition(action: str, status: str) -> Transition:
    transition = TRANSITIONS[action]
    if status not in transition.sources:
        raise InvalidTransition(
            _("This case is %(status)s; it cannot be %(action)s now.")
            % {"status": S(status).label, "action": ACTION_LABELS[action]()}
        )
    return transition


def allowed_actions(status: str) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if status in t.sources]


# Lazily translated names of the actions, for messages ("cannot be dispatched now").
ACTION_LABELS = {
    "accept": lambda: _("accepted"),
    "reject": lambda: _("rejected"),
    "classify": lambda: _("classified"),
    "dispatch": lambda: _("dispatched"),
    "redispatch": lambda: _("passed on"),
    "claim": lambda: _("claimed"),
    "report_in": lambda: _("reported in to"),
    "return": lambda: _("returned"),
    "progress": lambda: _("given a progress note"),
    "request_extension": lambda: _("given a deadline extension request"),
    "decide_extension": lambda: _("given an extension decision"),
    "suspend": lambda: _("suspended"),
    "resume": lambda: _("resumed"),
    "resolve": lambda: _("resolved"),
    "escalate": lambda: _("escalated"),
    "revisit": lambda: _("revisited"),
    "rate": lambda: _("rated"),
    "reopen": lambda: _("reopened"),
    "close": lambda: _("closed"),
    "merge": lambda: _("merged"),
    "urge": lambda: _("urged"),
}
