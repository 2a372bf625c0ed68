"""The writes of the 12345 import (one function each: permission, validation, write, one
transaction). The import itself runs in ``jobs`` (in a worker); cases are filed there only through
``wangge.cases.actions.create_case``."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core.errors import Forbidden, InvalidInput, InvalidState, NotFound
from wangge.org.choices import RegionLevel
from wangge.org.models import Region

from .choices import REQUIRED_FIELDS, Field, ImportMode, JobStatus
from .models import ImportJob, ImportSource
from .permissions import can_import, reaches_subdistrict
from .reader import key, kind_of, text

DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# A job "running" whose row has not moved for this long lost its worker: it may be resumed.
STALLED_AFTER_SECONDS = 120


def max_upload_bytes() -> int:
    return int(getattr(settings, "WANGGE_12345_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def _require_importer(actor) -> None:
    if not can_import(actor):
        raise Forbidden(_("Only intake clerks and dispatchers of the sub-district may import 12345 orders."))


def _clean_mapping(mapping: dict) -> dict:
    cleaned = {name: key(mapping.get(name, ""))[:100] for name in Field.values}
    missing = [str(Field(name).label) for name in REQUIRED_FIELDS if not cleaned[name]]
    if missing:
        raise InvalidInput(_("Map a column to: %(fields)s.") % {"fields": "、".join(missing)},
                           fields={"mapping": "required"})
    headings = [h for h in cleaned.values() if h]
    if len(headings) != len(set(headings)):
        raise InvalidInput(_("Each column can fill only one field."), fields={"mapping": "duplicate"})
    return cleaned


@transaction.atomic
def save_source(*, actor, name: str, subdistrict: Region, mapping: dict, header_row: int = 1,
                source: ImportSource | None = None) -> ImportSource:
    """导入来源 — create or change a source and its column mapping."""
    _require_importer(actor)
    if source is not None:
        source = ImportSource.objects.select_for_update().filter(pk=source.pk).first()
        if source is None or not reaches_subdistrict(actor, source.subdistrict):
            raise NotFound()
    if subdistrict is None or subdistrict.level != RegionLevel.SUBDISTRICT or not reaches_subdistrict(actor, subdistrict):
        raise InvalidInput(_("Choose a sub-district of yours."), fields={"subdistrict": "invalid"})
    name = text(name)[:100]
    if not name:
        raise InvalidInput(_("Give the source a name."), fields={"name": "required"})
    if not 1 <= int(header_row) <= 50:
        raise InvalidInput(_("The heading row is a number from 1 to 50."), fields={"header_row": "invalid"})
    clash = ImportSource.objects.filter(subdistrict=subdistrict, name=name).exclude(pk=getattr(source, "pk", None))
    if clash.exists():
        raise InvalidInput(_("This sub-district already has a source of that name."), fields={"name": "taken"})
    source = source or ImportSource(created_by=actor)
    source.name, source.subdistrict, source.header_row = name, subdistrict, int(header_row)
    source.mapping = _clean_mapping(mapping)
    source.save()
    return source


@transaction.atomic
def upload_file(*, actor, source: ImportSource, upload) -> ImportJob:
    """上传 — store the file and check it in the background (``jobs.check_job``)."""
    _require_importer(actor)
    if not reaches_subdistrict(actor, source.subdistrict):
        raise NotFound()
    filename = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:200]
    if not kind_of(filename):
        raise InvalidInput(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."), fields={"file": "type"})
    size = getattr(upload, "size", None)
    limit = max_upload_bytes()
    if size is not None and size > limit:
        raise InvalidInput(_("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
                           fields={"file": "too_large"})
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise InvalidInput(_("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
                           fields={"file": "too_large"})
    if not content:
        raise InvalidInput(_("The file is empty."), fields={"file": "empty"})
    job = ImportJob.objects.create(source=source, created_by=actor, filename=filename, content=content,
                                   mapping=dict(source.mapping), header_row=source.header_row)
    transaction.on_commit(lambda: _enqueue("check", job.pk))
    return job


@transaction.atomic
def start_import(*, actor, job: ImportJob, mode: str) -> ImportJob:
    """导入 — file the checked rows: all of them only if every row is valid, or the valid ones."""
    _require_importer(actor)
    job = ImportJob.objects.select_for_update().filter(pk=job.pk).first()
    if job is None or not reaches_subdistrict(actor, job.source.subdistrict):
        raise NotFound()
    if mode not in ImportMode.values:
        raise InvalidInput(_("Choose how to import."), fields={"mode": "invalid"})
    if job.status != JobStatus.READY:
        raise InvalidState(_("This file is not waiting to be imported."))
    if mode == ImportMode.ALL_OR_NOTHING and job.invalid_rows:
        raise InvalidInput(_("%(n)d rows have errors: nothing is imported all-or-nothing. Correct the file, "
                             "or import the valid rows only.") % {"n": job.invalid_rows}, fields={"mode": "has_errors"})
    if not job.valid_rows:
        raise InvalidInput(_("No row of this file can be imported."), fields={"mode": "nothing"})
    job.mode, job.status = mode, JobStatus.QUEUED
    job.save(update_fields=["mode", "status", "updated_at"])
    transaction.on_commit(lambda: _enqueue("import", job.pk))
    return job


def is_stalled(job: ImportJob) -> bool:
    return job.status in (JobStatus.RUNNING, JobStatus.QUEUED, JobStatus.VALIDATING) and \
        (timezone.now() - job.updated_at).total_seconds() > STALLED_AFTER_SECONDS


@transaction.atomic
def resume_job(*, actor, job: ImportJob) -> ImportJob:
    """续传 — start again a job whose worker died: it goes on from the last committed batch."""
    _require_importer(actor)
    job = ImportJob.objects.select_for_update().filter(pk=job.pk).first()
    if job is None or not reaches_subdistrict(actor, job.source.subdistrict):
        raise NotFound()
    interrupted = job.status == JobStatus.FAILED and job.mode and job.processed_rows < job.total_rows
    if not (interrupted or is_stalled(job)):
        raise InvalidState(_("This job is not interrupted."))
    stage = "check" if job.status == JobStatus.VALIDATING else "import"
    job.status = JobStatus.VALIDATING if stage == "check" else JobStatus.QUEUED
    job.failure = ""
    job.save(update_fields=["status", "failure", "updated_at"])
    transaction.on_commit(lambda: _enqueue(stage, job.pk))
    return job


def _enqueue(stage: str, job_id: int) -> None:
    from . import tasks

    (tasks.check_file if stage == "check" else tasks.import_file).enqueue(job_id)
