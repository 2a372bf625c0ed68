"""Plain text for residents: anything that looks like a phone, an ID card or a case number is
blanked before it is shown in public (outcomes are written by staff, who may quote one)."""

from __future__ import annotations

import re

_NUMBERS = re.compile(r"\d[\d\s\-]{5,}\d|[A-Za-z]{1,3}\d{6,}|\d{17}[\dXx]")


def scrub(text: str) -> str:
    return _NUMBERS.sub("***", text or "")
