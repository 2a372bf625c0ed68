"""Every change of a case's state (办理流程), one module per stage. Each action:

1. locks the case row (``select_for_update``; several cases in pk order),
2. checks the actor's permission and the transition against the *locked* row,
3. validates its input,
4. saves with ``update_fields`` and writes one timeline event — which publishes its domain event
   (``cases.domain_events``) — and notifications,

all in one transaction: a refused action raises a ``CaseError`` and writes nothing.
Views, the API, admin, tasks, imports and other apps call these; none of them saves a case.

Stages: ``intake`` (file), ``triage`` (accept, reject, classify), ``dispatch`` (dispatch,
redispatch, claim, report in, return), ``handling`` (progress, extensions, suspend, resolve),
``escalation`` (escalate, the sweep's deadline step), ``closing`` (revisit, rate, reopen, close,
merge, urge), ``privacy`` (the logged reveal, PIPL erasure in cases' texts). Helpers: ``base``, ``clock`` (deadlines),
``recipients``, ``numbering``, ``batching`` (the sweep's grouped writes).
"""

from .base import NOTE_MAX_LENGTH, RESULT_MAX_LENGTH, Target
from .batching import deferred_light_saves
from .clock import default_policy
from .closing import (
    close_case,
    merge_case,
    rate_case,
    rate_case_as_resident,
    record_revisit_attempt,
    reopen_case,
    revisit_case,
    urge_case,
)
from .deadlines import agree_deadline
from .dispatch import claim_case, dispatch_case, redispatch_case, report_in, return_case
from .escalation import (
    check_deadline,
    escalate_case,
    postpone_check,
    recompute_deadlines,
)
from .handling import (
    add_progress_note,
    decide_extension,
    not_reported_in,
    request_extension,
    resolve_case,
    resume_case,
    suspend_case,
)
from .intake import create_case, file_and_dispatch, valid_phone
from .onthespot import file_and_resolve_on_the_spot
from .privacy import (
    caller_cases,
    caller_lookup_of,
    erase_from_cases,
    log_caller_lookup,
    look_up_caller,
    reveal_reporter,
)
from .recipients import sweep_lookup_cache
from .timeline import record_on_timeline
from .triage import accept_case, classify_case, reject_case

__all__ = [
    "NOTE_MAX_LENGTH", "RESULT_MAX_LENGTH", "Target", "accept_case", "agree_deadline", "add_progress_note", "check_deadline", "claim_case",
    "classify_case", "close_case", "log_caller_lookup", "create_case", "decide_extension", "default_policy", "deferred_light_saves",
    "caller_cases", "caller_lookup_of", "dispatch_case", "erase_from_cases", "escalate_case", "file_and_dispatch", "file_and_resolve_on_the_spot", "look_up_caller", "merge_case", "not_reported_in", "postpone_check", "rate_case",
    "rate_case_as_resident", "recompute_deadlines", "record_revisit_attempt", "redispatch_case", "reject_case", "record_on_timeline", "reopen_case", "report_in",
    "request_extension", "resolve_case", "return_case", "resume_case", "revisit_case", "reveal_reporter", "suspend_case",
    "sweep_lookup_cache", "urge_case", "valid_phone",
]
