"""What the 12345 import does when a case's reporter is erased (PIPL): a mechanical copy, no rule."""

from __future__ import annotations

from wangge.residents.masking import redact_rows

from .models import ImportJob, ImportLine


def erase_case_text(sender, *, case, redact, **kwargs) -> int:
    """``cases.signals.case_text_erased``: the erased caller's number and name go from what the
    imports that filed ``case`` keep of their rows — the preview (the first rows, the order's
    description as the hotline typed it), the errors (a cell's value) and each line's reason. The
    jobs, their counts and lines stay. Returns how many rows changed."""
    lines = list(ImportLine.objects.filter(case=case).select_for_update().order_by("pk"))
    changed_lines = redact_rows(lines, redact, ["reason"])
    jobs = redact_rows(ImportJob.objects.filter(pk__in={line.job_id for line in lines}).select_for_update()
                       .order_by("pk"), redact, ["preview", "errors", "failure"])
    return len(changed_lines) + len(jobs)
