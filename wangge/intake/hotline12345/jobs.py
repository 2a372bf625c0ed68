"""The work of a job, run by a worker (``tasks``): check a file, then import it (导入执行).

Checking streams the file once: counts, the first rows as they will be filed, and every problem.
Importing reads it again and files each valid row through ``create_case`` as the uploading clerk
(``Actor.staff``: the clerk who took the hotline's orders is the one on each case's timeline; the
channel is still "12345"), with the order number as the external id under the source "12345" —
the hotline's own numbering, so the same order is one case whatever source or file brings it.

"Valid rows only" commits a batch of rows at a time, with the job's counters in the same
transaction: the progress bar moves, and a run whose worker died goes on from the last batch
(``actions.resume_job``). "All or nothing" files every row in one transaction; a row refused
there undoes the whole file. Its case numbers are reserved before that transaction, in a short
one of their own (``numbering.reserved_numbers``): the file's rows are counted by the day they
are numbered on, so the long transaction never holds a day's number row and the hotline desk,
WeChat and the API go on filing meanwhile. An undone import leaves its reserved numbers unused —
a gap in those days' sequences — as does an order another filing brought in since the count.
"""

from __future__ import annotations

import logging
from collections import Counter

from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.cases.actions import create_case
from wangge.cases.actions.numbering import number_day, reserved_numbers
from wangge.cases.choices import Channel
from wangge.cases.models import Case
from wangge.core.actors import Actor
from wangge.core.errors import DomainError
from wangge.residents.masking import mask_name, mask_phone

from .choices import ImportMode, JobStatus, Outcome
from .models import ImportJob, ImportLine
from .permissions import can_import
from .reader import FileError, read_table
from .rows import Order, RowChecker, reason

log = logging.getLogger(__name__)

SOURCE = Channel.HOTLINE_12345.value  # the external ids are the hotline's order numbers
BATCH = 200
PREVIEW_ROWS = 10
MAX_ERRORS = 2000
CHECK_PROGRESS_EVERY = 1000


class _Abort(Exception):
    """A row refused during an all-or-nothing import: undo everything."""


def _save(job: ImportJob, *fields: str) -> None:
    job.save(update_fields=[*fields, "updated_at"])


def _fail(job: ImportJob, message: str) -> None:
    job.status, job.failure, job.finished_at = JobStatus.FAILED, message, timezone.now()
    _save(job, "status", "failure", "finished_at")


def _checker(job: ImportJob, table) -> RowChecker:
    return RowChecker(headers=table.headers, mapping=job.mapping, subdistrict=job.source.subdistrict,
                      header_line=table.header_line)


def _preview_row(line: int, cells: list, order: Order | None, problems, checker: RowChecker) -> dict:
    if order is None:
        values = {name: (cells[i] if i < len(cells) else "") for name, (i, _h) in checker.columns.items()}
        return {"line": line, "order_number": str(values.get("order_number") or ""), "valid": False,
                "problems": [p.as_json() for p in problems]}
    return {
        "line": line, "order_number": order.order_number, "valid": True, "problems": [],
        "title": order.title or order.description[:30], "description": order.description[:200],
        "address": order.address, "reporter_name": mask_name(order.reporter_name),
        "reporter_phone": mask_phone(order.reporter_phone),
        "category": order.category.name if order.category else "",
        "place": order.region.name if order.region else "",
        "received_at": order.received_at.isoformat() if order.received_at else "",
        "deadline": order.deadline.isoformat() if order.deadline else "",
    }


def _known(numbers: list[str]) -> dict[str, int]:
    """order number → pk of the case already filed for it."""
    if not numbers:
        return {}
    return dict(Case.objects.filter(source=SOURCE, external_id__in=numbers).values_list("external_id", "pk"))


def check_job(job_id: int) -> None:
    """Read and check every row; the job is then READY (or FAILED when the file cannot be read)."""
    job = ImportJob.objects.select_related("source__subdistrict").filter(pk=job_id).first()
    if job is None or job.status != JobStatus.VALIDATING:
        return
    try:
        table = read_table(bytes(job.content), job.filename, job.header_row)
    except FileError as exc:
        _fail(job, str(exc))
        return
    job.encoding, job.headers = table.encoding, table.headers
    checker = _checker(job, table)
    if checker.file_problems:
        job.errors = [p.as_json() for p in checker.file_problems]
        job.error_count = len(job.errors)
        _save(job, "encoding", "headers", "errors", "error_count")
        _fail(job, _("The file does not have the columns of this source's mapping."))
        return
    errors, preview, pending = [], [], []
    total = valid = invalid = known = 0
    try:
        for line, cells in table.rows:
            total += 1
            order, problems = checker.check(line, cells)
            if order is None:
                invalid += 1
                job.error_count += len(problems)
                errors += [p.as_json() for p in problems[: max(0, MAX_ERRORS - len(errors))]]
            else:
                valid += 1
                pending.append(order.order_number)
            if len(preview) < PREVIEW_ROWS:
                preview.append(_preview_row(line, cells, order, problems, checker))
            if len(pending) >= BATCH:
                known += len(_known(pending))
                pending = []
            if total % CHECK_PROGRESS_EVERY == 0:
                job.checked_rows = total
                _save(job, "checked_rows")
    except FileError as exc:
        _fail(job, str(exc))
        return
    known += len(_known(pending))
    already = _known([p["order_number"] for p in preview if p["valid"]])
    for p in preview:
        p["existing"] = p["order_number"] in already
    if total > 100_000:
        _fail(job, _("The file has more than 100,000 rows; split it."))
        return
    job.total_rows, job.valid_rows, job.invalid_rows, job.known_rows = total, valid, invalid, known
    job.checked_rows, job.errors, job.preview = total, errors, preview
    job.status = JobStatus.READY if total else JobStatus.FAILED
    job.failure = "" if total else _("The file has no rows below the heading.")
    _save(job, "encoding", "headers", "total_rows", "valid_rows", "invalid_rows", "known_rows", "checked_rows", "errors", "error_count",
          "preview", "status", "failure")


def import_job(job_id: int) -> None:
    """File the rows of a QUEUED job (see the module's docstring)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != JobStatus.QUEUED:
            return  # a second delivery of the same task, or a job already done
        job.status = JobStatus.RUNNING
        job.started_at = job.started_at or timezone.now()
        _save(job, "status", "started_at")
    job = ImportJob.objects.select_related("source__subdistrict", "created_by").get(pk=job_id)
    if not can_import(job.created_by):
        _fail(job, _("The person who uploaded the file may no longer import 12345 orders."))
        return
    try:
        checker, rows = _rows_to_import(job)
        if job.mode == ImportMode.ALL_OR_NOTHING:
            _import_all(job, checker, rows, _days_to_number(job))
        else:
            _import_valid(job, checker, rows)
    except _Abort as exc:
        job.refresh_from_db()
        _fail(job, _("Nothing was imported: %(reason)s") % {"reason": exc})
        return
    except Exception:
        log.exception("12345 import %s stopped at row %s", job_id, job.processed_rows)
        job.refresh_from_db()
        _fail(job, _("The import stopped after %(n)d rows; resume it to go on.") % {"n": job.processed_rows})
        return
    # The file goes once every row is a case or a line of the report: it holds every caller's name
    # and number, and a copy kept here would outlive a resident's erasure (PIPL: no longer than needed).
    job.status, job.finished_at, job.content = JobStatus.DONE, timezone.now(), b""
    _save(job, "status", "finished_at", "content")


def _rows_to_import(job: ImportJob):
    """The file's checker and the rows still to import (after those a resumed job has in)."""
    table = read_table(bytes(job.content), job.filename, job.header_row)
    checker = _checker(job, table)
    rows = iter(table.rows)
    for _skip in range(job.processed_rows):  # resumed: those rows are in already
        line, cells = next(rows)
        checker.check(line, cells)  # still seen, for the duplicate-in-file rule
    return checker, rows


def _file_rows(job: ImportJob, checker: RowChecker, batch: list, *, strict: bool) -> list[ImportLine]:
    """File one batch of (line, cells); the lines to store. ``strict``: any refused row aborts."""
    actor = Actor.staff(job.created_by)
    checked = [(line, *checker.check(line, cells)) for line, cells in batch]
    known = _known([order.order_number for _line, order, _p in checked if order is not None])
    lines = []
    for line, order, problems in checked:
        if order is None:
            why = "；".join(f"{p.column}：{reason(p.code, **p.params)}" for p in problems)
            if strict:
                raise _Abort(_("line %(line)d: %(reason)s") % {"line": line, "reason": why})
            lines.append(ImportLine(job=job, line=line, order_number=_number(problems, checker, batch, line),
                                    outcome=Outcome.INVALID, reason=why))
            continue
        row = ImportLine(job=job, line=line, order_number=order.order_number, hotline_deadline=order.deadline)
        if order.order_number in known:
            row.outcome, row.case_id = Outcome.EXISTING, known[order.order_number]
        else:
            try:
                case = create_case(actor=actor, channel=SOURCE, source=SOURCE, external_id=order.order_number,
                                   **order.case_fields())
            except DomainError as exc:
                if strict:
                    raise _Abort(_("line %(line)d: %(reason)s") % {"line": line, "reason": exc.message}) from exc
                row.outcome, row.reason = Outcome.FAILED, str(exc.message)
            else:
                row.outcome = Outcome.EXISTING if case.replayed else Outcome.FILED
                row.case_id = case.pk
        lines.append(row)
    return lines


def _number(problems, checker: RowChecker, batch, line) -> str:
    cells = next(c for n, c in batch if n == line)
    index = checker.columns.get("order_number", (None,))[0]
    return str(cells[index])[:100] if index is not None and index < len(cells) and cells[index] is not None else ""


def _count(job: ImportJob, lines: list[ImportLine]) -> None:
    job.processed_rows += len(lines)
    for row in lines:
        if row.outcome == Outcome.FILED:
            job.filed_count += 1
        elif row.outcome == Outcome.EXISTING:
            job.existing_count += 1
        elif row.outcome == Outcome.INVALID:
            job.skipped_count += 1
        else:
            job.failed_count += 1


COUNTERS = ("processed_rows", "filed_count", "existing_count", "skipped_count", "failed_count")


def _import_valid(job: ImportJob, checker: RowChecker, rows) -> None:
    batch: list = []
    for item in rows:
        batch.append(item)
        if len(batch) >= BATCH:
            _commit_batch(job, checker, batch)
            batch = []
    if batch:
        _commit_batch(job, checker, batch)


def _commit_batch(job: ImportJob, checker: RowChecker, batch: list, attempts: int = 3) -> None:
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                lines = _file_rows(job, checker, batch, strict=False)
                ImportLine.objects.bulk_create(lines)
                _count(job, lines)
                _save(job, *COUNTERS)
            return
        except OperationalError:  # a deadlock with a concurrent import: the batch was undone, again
            job.refresh_from_db(fields=COUNTERS)
            if attempt == attempts - 1:
                raise


def _days_to_number(job: ImportJob) -> Counter:
    """How many cases an all-or-nothing import will file on each day (``create_case`` numbers a
    case on the local day of its ``submitted_at``: the order's 受理时间, or now): the file read
    once more, as the import will read it, up to its first refused row (where it will stop)."""
    checker, rows = _rows_to_import(job)
    days: Counter = Counter()
    batch: list = []
    for line, cells in rows:
        order, _problems = checker.check(line, cells)
        if order is None:
            break
        batch.append(order)
        if len(batch) >= BATCH:
            _count_days(days, batch)
            batch = []
    _count_days(days, batch)
    return days


def _count_days(days: Counter, orders: list[Order]) -> None:
    known = _known([order.order_number for order in orders])
    now = timezone.now()
    days.update(number_day(order.received_at or now) for order in orders if order.order_number not in known)


def _import_all(job: ImportJob, checker: RowChecker, rows, days: Counter) -> None:
    with reserved_numbers(days), transaction.atomic():
        batch: list = []
        for item in rows:
            batch.append(item)
            if len(batch) >= BATCH:
                lines = _file_rows(job, checker, batch, strict=True)
                ImportLine.objects.bulk_create(lines)
                _count(job, lines)
                batch = []
        if batch:
            lines = _file_rows(job, checker, batch, strict=True)
            ImportLine.objects.bulk_create(lines)
            _count(job, lines)
        _save(job, *COUNTERS)
