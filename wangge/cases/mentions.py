"""号码提及 — the full phone numbers typed into a case's texts and timeline, kept in
``PhoneMention`` as they are written, so that an erasure (PIPL 删除) finds a number where someone
other than its owner wrote it: by an index, not by reading every case and note.

A number is recognised in the forms people type it (138 1234 1234, 138-1234-1234, +86 13812341234,
full-width digits, 010-6234 5678); a landline needs its area code — a bare seven or eight digits
is as likely a date or a house number. Where a landline's end is unclear (a digit after a space),
each length it could be is kept: a mention too many costs the erasure one text it reads and
leaves as it was, a mention missed would leave the number standing."""

from __future__ import annotations

import re
from collections.abc import Iterable

from wangge.residents.masking import FULL_PHONE_RE, full_phone, half_width, normalise_phone

# The free texts of a case that may quote someone: what the clerk or the resident typed (title,
# description, address), the answer and the rating comment.
CASE_TEXT_FIELDS = ("title", "description", "address", "result", "rating_comment")

# Between two digits of a number: spaces, dashes, dots, brackets (text already half-width).
_GAP = r"[ \t\u3000\-\u2010-\u2015.()]*"
_COUNTRY = r"(?:\+?(?:00)?86" + _GAP + r")?"
# A mobile may also follow the trunk 0 some dial from another city (0138 1234 1234).
_MOBILE = re.compile(r"(?<!\d)(?:" + _COUNTRY + r"|0" + _GAP + r")(1" + _GAP + r"[3-9](?:" + _GAP + r"\d){9})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)" + _COUNTRY + r"(0[1-9]\d{1,2}" + _GAP + r"[2-9](?:" + _GAP + r"\d){6,7})(?!\d)")
_DIGITS = re.compile(r"\D")


def phones_in(*texts: str | None) -> set[str]:
    """The full phone numbers (normalised digits) in ``texts``."""
    found: set[str] = set()
    for text in texts:
        if not text or not any(ch.isdigit() for ch in text):
            continue
        text = half_width(text)
        for match in _MOBILE.finditer(text):
            found.add(_DIGITS.sub("", match.group(1)))
        for match in _LANDLINE.finditer(text):
            digits = _DIGITS.sub("", match.group(1))
            found.update(digits[:n] for n in range(10, len(digits) + 1) if FULL_PHONE_RE.fullmatch(digits[:n]))
    return found


def strings_in(value) -> Iterable[str]:
    """Every string in a JSON value (an event's data), keys excepted."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings_in(item)


def note_mentions(case_id: int, *texts: str | None) -> None:
    """Record the numbers in ``texts`` as mentioned on case ``case_id`` (in the caller's transaction)."""
    numbers = phones_in(*texts)
    if numbers:
        from wangge.cases.models import PhoneMention

        PhoneMention.objects.bulk_create([PhoneMention(case_id=case_id, digits=d) for d in sorted(numbers)],
                                         ignore_conflicts=True)


def cases_mentioning(phone: str) -> list[int]:
    """The ids of the cases whose texts or timeline mention ``phone`` (any typed form)."""
    from wangge.cases.models import PhoneMention

    number = full_phone(phone)
    if not number:
        return []
    return list(PhoneMention.objects.filter(digits=number).order_by("case_id").values_list("case_id", flat=True))


def forget_mentions(*, phones: Iterable[str], case_id: int | None = None) -> int:
    """Delete the mentions of ``phones`` (on one case, or on every case): once a number is erased
    from the texts, the index must not keep it either."""
    from wangge.cases.models import PhoneMention

    numbers = {normalise_phone(p) for p in phones if p}
    if not numbers:
        return 0
    rows = PhoneMention.objects.filter(digits__in=sorted(numbers))
    if case_id is not None:
        rows = rows.filter(case_id=case_id)
    return rows.delete()[0]


def index_existing(*, cases, events, mentions, batch: int = 2000, progress=None) -> int:
    """Record the mentions in the cases and timelines written before the index existed (the
    models are passed in, so that a migration can hand its historical ones). In primary-key
    batches; safe to run again (a mention already recorded is skipped). Returns how many rows
    were offered."""

    def batches(model, fields):
        last = 0
        while rows := list(model.objects.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:batch]):
            yield rows
            last = rows[-1][0]
            if progress:
                progress(model._meta.model_name, last)

    def offer(found: list[tuple[int, tuple]]) -> int:
        rows = [mentions(case_id=case_id, digits=d) for case_id, texts in found for d in sorted(phones_in(*texts))]
        mentions.objects.bulk_create(rows, ignore_conflicts=True)
        return len(rows)

    offered = 0
    for rows in batches(cases, CASE_TEXT_FIELDS):
        offered += offer([(pk, texts) for pk, *texts in rows])
    for rows in batches(events, ("case_id", "note", "data")):
        offered += offer([(case_id, (note, *strings_in(data))) for _pk, case_id, note, data in rows])
    return offered
