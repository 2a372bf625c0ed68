"""Scoped reads: a source, its jobs and their lines are seen by the dispatchers of its sub-district."""

from __future__ import annotations

from django.db.models import F, QuerySet

from wangge.core.errors import NotFound
from wangge.org.scope import Scope

from .choices import Outcome
from .models import ImportJob, ImportLine, ImportSource
from .permissions import IMPORT_ROLES, can_import


def sources_for(user) -> QuerySet[ImportSource]:
    if not can_import(user):
        return ImportSource.objects.none()
    qs = ImportSource.objects.select_related("subdistrict")
    return Scope.of(user).restrict(qs, roles=IMPORT_ROLES, fields=None, region_field="subdistrict")


def jobs_for(user) -> QuerySet[ImportJob]:
    if not can_import(user):
        return ImportJob.objects.none()
    qs = ImportJob.objects.select_related("source", "created_by").defer("content")
    return Scope.of(user).restrict(qs, roles=IMPORT_ROLES, fields=None, region_field="source__subdistrict")


def source_for(user, pk) -> ImportSource:
    source = sources_for(user).filter(pk=pk).first()
    if source is None:
        raise NotFound()
    return source


def job_for(user, pk) -> ImportJob:
    job = jobs_for(user).filter(pk=pk).first()
    if job is None:
        raise NotFound()
    return job


def lines_due_after_hotline(job: ImportJob) -> QuerySet[ImportLine]:
    """The job's orders whose case must be resolved later than the hotline's deadline (办理时限)
    allows: the case's clock shows green while the city already counts the order late."""
    return job.lines.filter(outcome__in=[Outcome.FILED, Outcome.EXISTING], hotline_deadline__isnull=False,
                            case__resolve_due_at__gt=F("hotline_deadline")).select_related("case")
