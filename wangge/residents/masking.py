"""The phone-number rule and the masks, written once for every app."""

from __future__ import annotations

import re
import unicodedata

# A mobile number (13812341234), a landline with area code (010-62345678) or a local one (62345678).
# ASCII digits only: what is stored is what a search by phone compares with.
PHONE_RE = re.compile(r"1[3-9][0-9]{9}|0[0-9]{9,11}|[2-9][0-9]{6,7}")
# Spaces and the dashes and brackets people put between groups (NFKC has already made the
# full-width ones － （ ） half-width; the typographic dashes ‐ – — stay what they are).
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015()]")


def half_width(text: str | None) -> str:
    """Full-width → half-width (NFKC): what a Chinese input method in full-width mode types
    (１３８…, ＷＧ２０２６…, Ｘ, ＋, －, the ideographic space) read as the characters meant."""
    return unicodedata.normalize("NFKC", text or "")


def normalise_phone(phone: str | None) -> str:
    """Digits only, half-width, without a +86 prefix: ``"+86 138-1234-1234"`` and the
    full-width ``"＋８６ １３８－１２３４－１２３４"`` (a Chinese input method in full-width mode)
    both → ``"13812341234"``. Every phone a user types goes through here before it is checked,
    stored or searched for, so one person has one number however it was typed."""
    digits = _SEPARATORS.sub("", half_width(phone))
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def valid_phone(phone: str | None) -> bool:
    return bool(PHONE_RE.fullmatch(normalise_phone(phone)))


# A number as a caller gives it in full: a mobile, or a landline with its area code. Not a local
# number without one: seven or eight digits are as likely a case number's date (20261124).
FULL_PHONE_RE = re.compile(r"1[3-9][0-9]{9}|0[0-9]{9,11}")


def full_phone(text: str | None) -> str:
    """The number ``text`` is (normalised) when it is nothing but a full phone number — spaces,
    dashes and a +86 allowed: ``"+86 138-1234-1234"`` → ``"13812341234"``; else ``""``."""
    number = normalise_phone(text)
    return number if FULL_PHONE_RE.fullmatch(number) else ""


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


# What stands where an erased resident's number or name was in a free text (PIPL erasure).
ERASED_MARK = "〔已删除〕"
# Between any two digits of a number as people type it: spaces (the ideographic one too), dashes,
# dots, brackets — half- or full-width.
_GAP = r"[\s\-\u2010-\u2015.()（）．－]*"
# A country code before it: +86, 0086, 86, (+86), ＋８６ … — or the trunk 0 some dial before a
# mobile from another city (0138 1234 1234).
_COUNTRY = r"(?:[(（]?(?:[+＋]|00|００)?[8８][6６][)）]?[\s\-－]*|[0０])?"


def _digit(d: str) -> str:
    return f"[{d}{chr(0xFF10 + int(d))}]"  # 8 or ８


def _number_pattern(number: str) -> str:
    return r"(?<!\d)" + _COUNTRY + _GAP.join(_digit(d) for d in number) + r"(?!\d)"


def redactor(*, phones, names):
    """A function that replaces, in a text, each of ``phones`` in any common form it is typed in
    (138 1234 1234, 138-1234-1234, +86 13812341234, full-width digits …, never the same digits
    inside a longer run) and each of ``names`` verbatim (only names of two characters or more: one
    character is too often part of other words) with ``ERASED_MARK``. For erasing a resident from
    what people typed: descriptions, notes, comments."""
    numbers = sorted({n for n in (normalise_phone(p) for p in phones if p) if PHONE_RE.fullmatch(n)}, key=len,
                     reverse=True)
    words = sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True)
    parts = [_number_pattern(n) for n in numbers] + [re.escape(w) for w in words]
    if not parts:
        return lambda text: text
    pattern = re.compile("|".join(parts))

    def redact(text: str) -> str:
        return pattern.sub(ERASED_MARK, text) if text else text

    return redact


def fit_column(model, field: str, text):
    """``text`` cut to what ``model.field`` holds (its ``max_length``; a text with none, or not a
    string, as it is): 〔已删除〕 is longer than a two- or three-character name, so a redacted text
    that filled its column no longer fits — PostgreSQL would refuse it, and the whole erasure with it."""
    limit = getattr(model._meta.get_field(field), "max_length", None)
    return text[:limit] if limit and isinstance(text, str) else text


def redact_rows(rows, redact, fields: list[str]) -> list:
    """PIPL erasure in stored rows: ``redact`` applied to ``fields`` (texts, or JSON holding texts)
    of each of ``rows`` (one model's), each redacted text cut to its column (``fit_column``). The
    rows it changed are written — those fields only, with ``bulk_update``: no ``save()``, which a
    final row (signed minutes) refuses — and returned."""
    changed = []
    for row in rows:
        paths: list[str] = []
        values = redact_values({field: getattr(row, field) for field in fields}, redact, "", paths)
        if paths:
            for field in fields:
                setattr(row, field, fit_column(type(row), field, values[field]))
            changed.append(row)
    if changed:
        type(changed[0])._default_manager.bulk_update(changed, fields, batch_size=500)
    return changed


def redact_values(value, redact, path: str = "", changed: list[str] | None = None):
    """``value`` (JSON: dicts, lists, strings …) with ``redact`` applied to every string in it; the
    path of each string it changed (``data.words.accepted``) is added to ``changed``."""
    if isinstance(value, str):
        new = redact(value)
        if new != value and changed is not None:
            changed.append(path)
        return new
    if isinstance(value, dict):
        return {key: redact_values(item, redact, f"{path}.{key}", changed) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_values(item, redact, f"{path}.{i}", changed) for i, item in enumerate(value)]
    return value
