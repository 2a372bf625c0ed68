"""Two clerks import the same file at the same moment (PostgreSQL, real parallel transactions):
every order is filed once, and each job's report says which rows the other one filed."""

from __future__ import annotations

import pytest
from django.db import connection

from wangge.cases.models import Case
from wangge.intake.hotline12345 import jobs
from wangge.intake.hotline12345.choices import ImportMode, JobStatus
from wangge.intake.hotline12345.models import ImportJob, ImportLine
from wangge.testing import run_in_threads

from .conftest import csv_bytes, order

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite has one writer"),
    pytest.mark.django_db(transaction=True),
]


def test_the_same_file_imported_twice_at_once_files_each_order_once(world, run, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH", 3)
    content = csv_bytes([order(i) for i in range(1, 13)])
    pair = [run("orders.csv", content, actor=world.users[name]) for name in ("clerk", "clerk2")]
    for job in pair:
        ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, mode=ImportMode.VALID_ONLY)

    run_in_threads(2, lambda i: jobs.import_job(pair[i].pk))

    done = list(ImportJob.objects.filter(pk__in=[j.pk for j in pair]))
    assert all(j.status == JobStatus.DONE for j in done), [j.failure for j in done]
    assert Case.objects.count() == 12
    assert sorted(Case.objects.values_list("external_id", flat=True)) == sorted(order(i)["工单编号"] for i in range(1, 13))
    assert sum(j.filed_count for j in done) == 12 and sum(j.existing_count for j in done) == 12
    assert ImportLine.objects.count() == 24
