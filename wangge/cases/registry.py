"""One registry of case actions (办理动作): name, labels, transition, permission rule and inputs.

Every layer reads this one list instead of keeping its own table keyed by the same strings:
``transitions.check_transition`` reads the allowed statuses, ``permissions.can`` the rule,
``selectors.available_actions`` both, the API builds one endpoint per entry from its serializer,
and the workbench finds the form it attached (``attach_input``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import permissions as p
from .choices import CaseStatus as S

OPEN = frozenset({S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.SUSPENDED})
WORKING = frozenset({S.DISPATCHED, S.IN_PROGRESS})


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    # None: the status stays as it is (a note, a reclassification...) or depends on the case.
    target: str | None


@dataclass(eq=False)
class CaseActionType:
    name: str  # the key: permissions, transitions, events, forms
    label: object  # the button / menu name: 受理
    past: object  # for messages: "it cannot be accepted now"
    transition: Transition
    rule: Callable  # (user, case) → may this user take it (beyond seeing the case)
    function: str  # dotted path of the action in ``cases.actions``
    serializer: str | None = None  # dotted path of the API input; None: no endpoint of its own
    summary: str = ""  # the API operation's summary
    multipart: bool = False  # the API accepts photos
    inputs: dict = field(default_factory=dict)  # attached by UI layers: {"web_form": FormClass}
    # (case) → why the action cannot be taken on this case now, though its status allows it (a
    # close before any revisit); None: it can. The action refuses with the same words, the
    # workbench shows them beside the greyed-out button, and ``available_actions`` leaves it out.
    guard: Callable | None = None
    # status → what to say instead of "it cannot be resolved now" (what to do first).
    refusals: dict = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.name.replace("_", "-")

    @cached_property
    def run(self) -> Callable:
        return import_string(self.function)

    @cached_property
    def serializer_class(self):
        return import_string(self.serializer) if self.serializer else None


case_actions: dict[str, CaseActionType] = {}


def register_case_action(action: CaseActionType) -> CaseActionType:
    if action.name in case_actions and case_actions[action.name] is not action:
        raise ValueError(f"case action {action.name!r} is already registered")
    case_actions[action.name] = action
    return action


def attach_input(name: str, kind: str, value) -> None:
    """A UI layer attaches its input for an action (the workbench: ``"web_form"``)."""
    case_actions[name].inputs[kind] = value


def allowed_actions(status: str) -> list[str]:
    return [a.name for a in case_actions.values() if status in a.transition.sources]


def blocker(action: str, case) -> str | None:
    """Why ``action`` cannot be taken on ``case`` now although its status allows it (the
    action's guard), or None."""
    guard = case_actions[action].guard
    return str(guard(case)) if guard is not None and guard(case) else None


def _closing_blocker(case):
    from .closing_rules import closing_blocker

    return closing_blocker(case)


def _extension_blocker(case):
    from .actions.handling import extension_blocker

    return extension_blocker(case)


def _revisit_attempt_blocker(case):
    from .closing_rules import revisit_attempt_blocker

    return revisit_attempt_blocker(case)


def _handler_or_dispatcher(u, c) -> bool:
    return p.is_handler(u, c) or p.is_dispatcher(u, c)


def _dispatcher_or_lead(u, c) -> bool:
    return p.is_dispatcher(u, c) or p.is_lead(u, c)


def _may_revisit(u, c) -> bool:
    """回访 once per answer: a dispatcher, until this resolution has been revisited (a reopened
    and re-resolved case is revisited anew)."""
    done = c.revisited_at is not None and c.resolved_at is not None and c.revisited_at >= c.resolved_at
    return not done and p.is_dispatcher(u, c)


_A = "wangge.cases.actions."
_S = "wangge.cases.api.serializers."
for _action in [
    CaseActionType("accept", _("Accept"), _("accepted"), Transition(frozenset({S.SUBMITTED}), S.ACCEPTED),
                   p.is_dispatcher, _A + "accept_case", _S + "ClassifySerializer",
                   "受理 — accept (a category is needed, given now or before)"),
    CaseActionType("reject", _("Reject"), _("rejected"), Transition(frozenset({S.SUBMITTED, S.ACCEPTED}), S.REJECTED),
                   p.is_dispatcher, _A + "reject_case", _S + "ReasonSerializer", "不予受理 — reject, with a reason"),
    CaseActionType("classify", _("Classify"), _("classified"), Transition(OPEN, None), _dispatcher_or_lead,
                   _A + "classify_case", _S + "ClassifySerializer",
                   "分类 / 改类 — change category, star level or handling type"),
    CaseActionType("dispatch", _("Dispatch"), _("dispatched"), Transition(frozenset({S.ACCEPTED}), S.DISPATCHED),
                   p.is_dispatcher, _A + "dispatch_case", _S + "DispatchSerializer",
                   "派单 — dispatch to a lead (department, person or community/grid) and co-handlers"),
    # A level (a community, a grid) that holds a case passes it on (转派).
    CaseActionType("redispatch", _("Pass on"), _("passed on"), Transition(WORKING, S.DISPATCHED),
                   p.may_redispatch, _A + "redispatch_case", _S + "DispatchSerializer",
                   "转派 — a community or grid passes its case on"),
    CaseActionType("claim", _("Claim"), _("claimed"),
                   Transition(frozenset({S.ACCEPTED, S.DISPATCHED}), S.IN_PROGRESS), p.may_claim,
                   _A + "claim_case", _S + "NoteSerializer",
                   "认领 — take the case on yourself / confirm you are working on it"),
    CaseActionType("report_in", _("Report in"), _("reported in to"), Transition(WORKING, None), p.may_report_in,
                   _A + "report_in", _S + "NoteSerializer", "报到 — a co-handler summoned by a whistle reports in"),
    CaseActionType("return", _("Return"), _("returned"), Transition(WORKING, S.ACCEPTED), p.is_lead,
                   _A + "return_case", _S + "ReasonSerializer", "退单 — send a wrong dispatch back, with a reason"),
    CaseActionType("progress", _("Progress note"), _("given a progress note"), Transition(WORKING | {S.SUSPENDED}, None),
                   _handler_or_dispatcher, _A + "add_progress_note", _S + "ProgressSerializer",
                   "办理进展 — a progress note, with photos or files", multipart=True),
    CaseActionType("request_extension", _("Request an extension"), _("given a deadline extension request"),
                   Transition(WORKING, None), p.is_lead, _A + "request_extension", _S + "RequestExtensionSerializer",
                   "申请延期 — ask for more working days", guard=_extension_blocker),
    # Decided through its own endpoints (…/extensions/{id}/approve|deny/), not a generic one.
    CaseActionType("decide_extension", _("Decide the extension"), _("given an extension decision"),
                   Transition(WORKING | {S.SUSPENDED}, None), p.is_dispatcher, _A + "decide_extension"),
    # Set by the consultation apps (meetings) when a plan is agreed, or through the API.
    CaseActionType("agree_deadline", _("Agree the deadline"), _("given an agreed deadline"),
                   Transition(WORKING | {S.ACCEPTED, S.SUSPENDED}, None), p.is_dispatcher, _A + "agree_deadline",
                   _S + "AgreeDeadlineSerializer", "议定时限 — the resolve deadline agreed at a consultation"),
    CaseActionType("suspend", _("Suspend"), _("suspended"), Transition(WORKING, S.SUSPENDED), _dispatcher_or_lead,
                   _A + "suspend_case", _S + "ReasonSerializer", "挂起 — pause the clock, with a reason"),
    CaseActionType("resume", _("Resume"), _("resumed"), Transition(frozenset({S.SUSPENDED}), None),
                   _dispatcher_or_lead, _A + "resume_case", _S + "NoteSerializer", "恢复 — restart the clock"),
    # The lead resolves a case it has taken on (认领): a dispatched case is claimed first.
    CaseActionType("resolve", _("Resolve"), _("resolved"), Transition(frozenset({S.IN_PROGRESS}), S.RESOLVED),
                   p.is_lead, _A + "resolve_case", _S + "ResolveSerializer",
                   "办结 — report the result, with photos (the lead claims the case first; co-handlers that "
                   "have not reported in are named, with the reason for resolving without them)",
                   multipart=True,
                   refusals={S.DISPATCHED: _("Claim the case first (认领): a case is resolved by the handler "
                                             "that has taken it on.")}),
    CaseActionType("escalate", _("Escalate"), _("escalated"),
                   Transition(frozenset({S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS}), S.ACCEPTED), p.may_escalate,
                   _A + "escalate_case", _S + "ReasonSerializer",
                   "一键上报 — send the case up one level, with a reason"),
    CaseActionType("revisit", _("Revisit"), _("revisited"), Transition(frozenset({S.RESOLVED}), None),
                   _may_revisit, _A + "revisit_case", _S + "RevisitInputSerializer",
                   "回访 (三看) — record the callback checklist"),
    CaseActionType("revisit_attempt", _("Callback not reached"), _("given a callback attempt"),
                   Transition(frozenset({S.RESOLVED}), None), _may_revisit, _A + "record_revisit_attempt",
                   _S + "NoteSerializer", "回访未接通 — record a callback that did not reach the resident",
                   guard=_revisit_attempt_blocker),
    # A clerk records the callback; residents rate through their own link.
    CaseActionType("rate", _("Rate"), _("rated"), Transition(frozenset({S.RESOLVED}), None), p.is_dispatcher,
                   _A + "rate_case", _S + "RateSerializer",
                   "评价 — record the resident's rating (不满意 reopens the case)"),
    CaseActionType("reopen", _("Reopen"), _("reopened"), Transition(frozenset({S.RESOLVED, S.CLOSED}), None),
                   p.is_dispatcher, _A + "reopen_case", _S + "ReasonSerializer",
                   "重办 — send a resolved or closed case back, with a reason"),
    CaseActionType("close", pgettext_lazy("case", "Close"), _("closed"), Transition(frozenset({S.RESOLVED}), S.CLOSED),
                   p.is_dispatcher, _A + "close_case", _S + "CloseSerializer",
                   "结案 — close a resolved case: after the revisit (三看), or with the recorded reason why there "
                   "could be none (no contact; not reached after repeated callbacks)", guard=_closing_blocker),
    CaseActionType("merge", _("Merge"), _("merged"), Transition(OPEN, S.MERGED), p.is_dispatcher,
                   _A + "merge_case", _S + "MergeSerializer", "合并 — merge this duplicate into another case"),
    CaseActionType("urge", _("Urge"), _("urged"), Transition(OPEN - {S.SUSPENDED}, None), p.may_urge,
                   _A + "urge_case", _S + "NoteSerializer", "催办 — press the handler of an open case"),
]:
    register_case_action(_action)
del _action, _A, _S
