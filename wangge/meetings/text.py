"""Plain text for residents: anything that looks like a phone, an ID card or a case number is
blanked before it is shown in public (outcomes are written by staff, who may quote one)."""

from __future__ import annotations

import re

_NUMBERS = re.compile(r"\d[\d\s\-]{5,}\d|[A-Za-z]{1,3}\d{6,}|\d{17}[\dXx]")


def scrub(text: str) -> str:
    return _NUMBERS.sub("***", text or "")


_PUNCTUATION = " 　。.，,！!"


def outcome_shown(outcome: str, decision_label) -> str:
    """The outcome as a page shows it after the decision: nothing when it only repeats the decision
    (a deferral once stored "Deferred to the next meeting." as its outcome: "顺延。顺延。")."""
    from django.utils.translation import gettext

    text = (outcome or "").strip()
    same = {str(decision_label).strip(_PUNCTUATION), gettext("Deferred to the next meeting.").strip(_PUNCTUATION)}
    return "" if text.strip(_PUNCTUATION) in same else text
