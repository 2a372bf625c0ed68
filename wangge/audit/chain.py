"""Checking the timeline's hash chain (``cases.models.event.event_hash``) from the stored rows.

Each event is checked against its own hash and against the stored hash of the event before it on
its case, so one row changed behind the application's back is reported once, where it is:
- *altered*: the row's content no longer gives its hash (a field was changed after writing);
- *broken link*: its ``prev_hash`` is not the hash of the event before it (an event before it was
  removed, or one was inserted);
- *unsealed*: it has no hash (written around ``cases.events``);
- *no timeline*: a case without any event (its events were removed);
- *altered before an erasure*: a row that did not verify when a PIPL erasure re-sealed the chain
  (the erasure's own row names it), so the re-sealing never hides an earlier change.
Removing a case's last events leaves no trace in its chain; the exported audit (timeline rows
carry their hash) is the copy that shows it.

The events are streamed in (case, primary key) order — the order they were chained in — a few
thousand at a time: a million events take one pass and little memory.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from wangge.cases.choices import EventType
from wangge.cases.models import Case, CaseEvent
from wangge.cases.models.event import event_hash

FIELDS = ("pk", "case_id", "type", "actor_id", "actor_kind", "created_at", "from_status", "to_status", "data",
          "note", "public", "related_type_id", "related_id", "prev_hash", "hash")
Row = namedtuple("Row", FIELDS)


class Problem:
    ALTERED = "altered"
    BROKEN_LINK = "broken_link"
    MISSING_BEFORE = "missing_before"
    UNSEALED = "unsealed"
    NO_TIMELINE = "no_timeline"
    # A PIPL erasure re-seals the chain after the rows it redacts (``cases.events.redact_timeline``)
    # and names, in its own row, those that did not verify just before: they stay reported.
    ALTERED_BEFORE_ERASURE = "altered_before_erasure"


def describe(problem: str) -> str:
    return {
        Problem.ALTERED: _("its content does not match its hash: it was changed after it was written"),
        Problem.BROKEN_LINK: _("it does not follow the event before it: an event was removed or inserted"),
        Problem.MISSING_BEFORE: _("it points to an earlier event that is missing: the first events were removed"),
        Problem.UNSEALED: _("it has no hash: it was written around the application"),
        Problem.NO_TIMELINE: _("the case has no timeline: its events were removed"),
        Problem.ALTERED_BEFORE_ERASURE: _("it did not verify when a personal-data erasure re-sealed the timeline: "
                                          "it had been changed or moved before"),
    }[problem]


@dataclass(frozen=True)
class Break:
    case_id: int
    case_number: str
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        if self.event_id is None:
            return _("Case %(number)s: %(problem)s") % {"number": self.case_number, "problem": describe(self.problem)}
        return _("Case %(number)s, event %(event)d: %(problem)s") % {
            "number": self.case_number, "event": self.event_id, "problem": describe(self.problem)}


@dataclass
class Checked:
    cases: int = 0
    events: int = 0


def verify_timeline(*, case: Case | None = None, chunk_size: int = 5000, checked: Checked | None = None) -> Iterator[Break]:
    """Every break in the chains of all cases (or of ``case``), in case order."""
    checked = checked if checked is not None else Checked()
    numbers: dict[int, str] = {}

    def number(case_id: int) -> str:
        if case_id not in numbers:
            numbers[case_id] = Case.objects.filter(pk=case_id).values_list("number", flat=True).first() or f"#{case_id}"
        return numbers[case_id]

    events = CaseEvent.objects.order_by("case_id", "pk")
    cases = Case.objects.order_by("pk")
    if case is not None:
        events, cases = events.filter(case_id=case.pk), cases.filter(pk=case.pk)
    current, previous = None, ""
    for values in events.values_list(*FIELDS).iterator(chunk_size=chunk_size):
        row = Row._make(values)
        if row.case_id != current:
            current, previous = row.case_id, ""
            checked.cases += 1
        checked.events += 1
        problem = None
        if not row.hash:
            problem = Problem.UNSEALED
        elif row.prev_hash != previous:
            problem = Problem.MISSING_BEFORE if not previous else Problem.BROKEN_LINK
        elif event_hash(row, row.prev_hash) != row.hash:
            problem = Problem.ALTERED
        if problem:
            yield Break(row.case_id, number(row.case_id), row.pk, problem)
        if row.type == EventType.PII_REDACTED and isinstance(row.data, dict):
            for event_id in row.data.get("unverified") or []:
                yield Break(row.case_id, number(row.case_id), event_id, Problem.ALTERED_BEFORE_ERASURE)
        previous = row.hash
    empty = cases.filter(~Exists(CaseEvent.objects.filter(case=OuterRef("pk")))).values_list("pk", "number")
    for case_id, case_number in empty.iterator(chunk_size=chunk_size):
        checked.cases += 1
        yield Break(case_id, case_number, None, Problem.NO_TIMELINE)
