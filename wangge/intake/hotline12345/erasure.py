"""What the 12345 import does when a case's reporter is erased (PIPL): a mechanical copy, no rule."""

from __future__ import annotations

from wangge.residents.masking import redact_values

from .models import ImportJob, ImportLine


def erase_case_text(sender, *, case, redact, **kwargs) -> int:
    """``cases.signals.case_text_erased``: the erased caller's number and name go from what the
    imports that filed ``case`` keep of their rows — the preview (the first rows, the order's
    description as the hotline typed it), the errors (a cell's value) and each line's reason. The
    jobs, their counts and lines stay. Returns how many rows changed."""
    lines = list(ImportLine.objects.filter(case=case).select_for_update().order_by("pk"))
    changed_lines = []
    for line in lines:
        reason = redact(line.reason)
        if reason != line.reason:
            line.reason = reason
            changed_lines.append(line)
    ImportLine.objects.bulk_update(changed_lines, ["reason"])
    jobs = []
    for job in ImportJob.objects.filter(pk__in={line.job_id for line in lines}).select_for_update().order_by("pk"):
        paths: list[str] = []
        values = redact_values({"preview": job.preview, "errors": job.errors, "failure": job.failure}, redact, "",
                               paths)
        if paths:
            job.preview, job.errors, job.failure = values["preview"], values["errors"], values["failure"]
            jobs.append(job)
    ImportJob.objects.bulk_update(jobs, ["preview", "errors", "failure"])
    return len(changed_lines) + len(jobs)
