"""Scoped reads: a source, its jobs and their lines are seen by the dispatchers of its sub-district."""

from __future__ import annotations

from django.db.models import QuerySet

from wangge.core.errors import NotFound
from wangge.org.scope import Scope

from .models import ImportJob, ImportSource
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
