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
from django.utils.translation import pgettext_lazy

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


# ---------------------------------------------------------------------------------------------
# Figures one can open (穿透): from a number on the dashboard to the cases behind it
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    q: Q


#: What the dashboard counts, and what stops each rate from being 100 % (the cases a leader opens
#: to see why: 未按时响应, 未解决, 超时办结, 不满意). Each is a counter's condition or a difference
#: of two, so the list behind a number is the number.
FIGURES: dict[str, Figure] = {f.key: f for f in [
    Figure("filed", pgettext_lazy("figure", "Cases filed"), COUNTERS["filed"]),
    Figure("valid", pgettext_lazy("figure", "Valid cases"), VALID),
    Figure("accepted", pgettext_lazy("figure", "Accepted"), ACCEPTED),
    Figure("responded", pgettext_lazy("figure", "Accepted within the deadline"), RESPONDED),
    Figure("not_responded", pgettext_lazy("figure", "Not accepted within the deadline"), VALID & ~RESPONDED),
    Figure("solved", pgettext_lazy("figure", "Resolved or closed"), SOLVED),
    Figure("unsolved", pgettext_lazy("figure", "Accepted, not yet resolved"), ACCEPTED & ~SOLVED),
    Figure("on_time", pgettext_lazy("figure", "Resolved on time"), ON_TIME),
    Figure("late", pgettext_lazy("figure", "Resolved late"), SOLVED & ~ON_TIME),
    Figure("rated", pgettext_lazy("figure", "Rated by the resident"), RATED),
    Figure("satisfied", pgettext_lazy("figure", "Satisfied or basically satisfied"), SATISFIED),
    Figure("unsatisfied", pgettext_lazy("figure", "Not satisfied"), RATED & ~SATISFIED),
    Figure("open", pgettext_lazy("figure", "Open"), OPEN),
    Figure("overdue", pgettext_lazy("figure", "Overdue (red light)"), OVERDUE),
]}
#: Rate → the figure of the cases that keep it below 100 %.
SHORTFALL = {"response": "not_responded", "resolution": "unsolved", "satisfaction": "unsatisfied",
             "on_time": "late"}
