"""What the duplicate check does when a case's reporter is erased (PIPL): a mechanical copy."""

from __future__ import annotations

from django.db.models import Q

from wangge.residents.masking import redact_rows

from .models import DuplicateCandidate


def erase_case_text(sender, *, case, redact, **kwargs) -> int:
    """``cases.signals.case_text_erased``: the note a clerk left deciding whether ``case`` and
    another report are one problem (「张先生重复来电」) loses the erased reporter's number and name;
    the pair, its score and the decision stay. Returns how many rows changed."""
    return len(redact_rows(DuplicateCandidate.objects.filter(Q(case=case) | Q(candidate=case)).exclude(note="")
                           .select_for_update().order_by("pk"), redact, ["note"]))
