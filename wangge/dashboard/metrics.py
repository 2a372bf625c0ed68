"""The figures an office is judged by (三率 + 按时办结率), defined once.

Every figure is computed over a **cohort**: the cases *filed* (``submitted_at``, Asia/Shanghai
calendar day) in the chosen period and territory, as they stand now ("截至统计时点"). A case
filed in March and resolved in April counts towards March's resolution rate once it is resolved.

Rejected (不予受理) and merged (合并) cases are not *valid* cases (无效工单): a rejected one was never
the office's work, a merged one is carried by the case it was merged into. They are counted by
status but left out of every rate.

Each rate is ``numerator ÷ denominator``; when the denominator is 0 the rate is "—" (None), never
0 % or 100 %. The same ``Q`` conditions feed the rollup table (``rollup.py``) and the direct
count used to check it (``direct_counts``), so the formulas live here only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from wangge.cases.choices import OPEN_STATUSES, CaseStatus, Light, Satisfaction

# ---------------------------------------------------------------------------------------------
# Conditions on one case (the counters of the rollup table)
# ---------------------------------------------------------------------------------------------

#: 有效工单 — filed and neither rejected nor merged.
VALID = ~Q(status__in=[CaseStatus.REJECTED, CaseStatus.MERGED])
#: 已受理 — accepted (a clerk took it on; claimed cases are accepted first).
ACCEPTED = VALID & Q(accepted_at__isnull=False)
#: 按时响应 — accepted no later than its accept deadline (受理时限, 1 minute by default, S2).
RESPONDED = ACCEPTED & Q(accepted_at__lte=F("accept_due_at"))
#: 已解决 — resolved (办结) or closed (结案). A case reopened after an unsatisfied rating is
#: not solved until it is resolved again.
SOLVED = VALID & Q(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED])
#: 按时办结 — solved no later than the resolve deadline (``resolved_on_time``, set by resolve_case).
ON_TIME = SOLVED & Q(resolved_on_time=True)
#: 参评 — the resident gave a rating (the latest one counts).
RATED = VALID & ~Q(satisfaction="")
#: 满意 — 满意 or 基本满意.
SATISFIED = VALID & Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY])
#: 在办 — still needs somebody's work.
OPEN = Q(status__in=OPEN_STATUSES)
#: 超期 (红灯) — open with a red deadline light (亮灯督办).
OVERDUE = OPEN & Q(light=Light.RED)

#: Counter name → condition. ``filed`` is every case; ``st_<status>`` counts each status.
COUNTERS: dict[str, Q] = {
    "filed": Q(),
    "valid": VALID,
    "accepted": ACCEPTED,
    "responded": RESPONDED,
    "solved": SOLVED,
    "on_time": ON_TIME,
    "rated": RATED,
    "satisfied": SATISFIED,
    "open": OPEN,
    "overdue": OVERDUE,
    **{f"st_{s.value}": Q(status=s) for s in CaseStatus},
}


def count_annotations() -> dict:
    """``Count`` expressions for every counter, for ``.aggregate()`` / ``.annotate()`` on cases."""
    return {name: Count("pk", filter=q) if q else Count("pk") for name, q in COUNTERS.items()}


def direct_counts(cases: QuerySet) -> dict[str, int]:
    """The counters straight from the cases (no rollup): the reference the rollup is tested against."""
    return cases.aggregate(**count_annotations())


# ---------------------------------------------------------------------------------------------
# Rates
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateDef:
    key: str
    label: str
    numerator: str
    denominator: str
    formula: str  # shown on hover and in the export


RATES: list[RateDef] = [
    RateDef(
        "response", _("Response rate"), "responded", "valid",
        _("Response rate (响应率) = cases accepted within the accept deadline ÷ valid cases filed "
          "(rejected and merged cases excluded)"),
    ),
    RateDef(
        "resolution", _("Resolution rate"), "solved", "accepted",
        _("Resolution rate (解决率) = cases resolved or closed ÷ cases accepted "
          "(rejected and merged cases excluded)"),
    ),
    RateDef(
        "satisfaction", _("Satisfaction rate"), "satisfied", "rated",
        _("Satisfaction rate (满意率) = (satisfied + basically satisfied) ÷ cases rated by the "
          "resident (the latest rating counts)"),
    ),
    RateDef(
        "on_time", _("On-time rate"), "on_time", "solved",
        _("On-time rate (按时办结率) = cases resolved by their resolve deadline ÷ cases resolved or closed"),
    ),
]
RATE_KEYS = [r.key for r in RATES]
RATES_BY_KEY = {r.key: r for r in RATES}


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator ÷ denominator as a fraction, or None (shown "—") when nothing to divide by."""
    return numerator / denominator if denominator else None


def rates(counts: dict[str, int]) -> dict[str, float | None]:
    """The four rates of one set of counters."""
    return {r.key: ratio(counts.get(r.numerator) or 0, counts.get(r.denominator) or 0) for r in RATES}


def pct(value: float | None) -> str:
    """98.7% — one decimal; "—" for no data."""
    return "—" if value is None else f"{value * 100:.1f}%"
