"""What the duplicate check does when a case's reporter is erased (PIPL): a mechanical copy."""

from __future__ import annotations

from django.db.models import Q

from .models import DuplicateCandidate


def erase_case_text(sender, *, case, redact, **kwargs) -> int:
    """``cases.signals.case_text_erased``: the note a clerk left deciding whether ``case`` and
    another report are one problem (「张先生重复来电」) loses the erased reporter's number and name;
    the pair, its score and the decision stay. Returns how many rows changed."""
    changed = []
    for candidate in (DuplicateCandidate.objects.filter(Q(case=case) | Q(candidate=case)).exclude(note="")
                      .select_for_update().order_by("pk")):
        note = redact(candidate.note)
        if note != candidate.note:
            candidate.note = note
            changed.append(candidate)
    DuplicateCandidate.objects.bulk_update(changed, ["note"])
    return len(changed)
