"""The phone-number rule and the masks, written once for every app."""

from __future__ import annotations

import re

# A mobile number (13812341234), a landline with area code (010-62345678) or a local one (62345678).
PHONE_RE = re.compile(r"1[3-9]\d{9}|0\d{9,11}|[2-9]\d{6,7}")
_SEPARATORS = re.compile(r"[\s\-()（）]")


def normalise_phone(phone: str | None) -> str:
    """Digits only, without a +86 prefix: ``"+86 138-1234-1234"`` → ``"13812341234"``."""
    digits = _SEPARATORS.sub("", phone or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def valid_phone(phone: str | None) -> bool:
    return bool(PHONE_RE.fullmatch(normalise_phone(phone)))


def mask_phone(phone: str) -> str:
    """138****1234 — keep the first 3 and last 4 digits."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return phone[:1] + "*" * (len(phone) - 2) + phone[-1:]
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    """张** — keep the family name (first character)."""
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)
