"""12345 hand-over import rate: a generated 50,000-row .xlsx, checked and then imported (valid rows
only: batches of ``jobs.BATCH`` rows, one ``create_case`` per row) through the real job code.

    WANGGE_BENCH_ONLY=import12345 python -m benchmarks.run        # inside make bench
    WANGGE_BENCH_12345_ROWS=5000 …                                 # a smaller file while working

Fixture data (a sub-district, a clerk, a category) is made here; everything timed is the code a
clerk's upload runs. ``run(out)`` returns rows for ``benchmarks.run``'s table.
"""

from __future__ import annotations

import io
import os
import random
import sys
import time

ROWS = int(os.environ.get("WANGGE_BENCH_12345_ROWS", "50000"))
TARGET = 50  # rows per second: 50,000 rows inside about a quarter of an hour on 2 cores


def make_file(n: int, rng: random.Random, prefix: str = "BENCH") -> bytes:
    """The hotline's workbook: text phone column (some with a leading zero), Excel date serials."""
    from openpyxl import Workbook  # a fixture file, not an export

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["工单编号", "工单标题", "诉求内容", "事发地址", "来电人", "联系电话", "诉求类别", "所属社区", "受理时间", "办理时限"])
    for i in range(n):
        phone = f"138{rng.randrange(10**8):08d}" if i % 5 else f"0931{rng.randrange(10**7):07d}"
        received = 46082 + (i % 30) + rng.random() * 0.9  # March 2026, as Excel day numbers
        ws.append([f"{prefix}{i:07d}", "", f"压测工单 {i}：小区门口有流动摊贩占道经营，影响通行。", "和顺西街18号",
                   "张先生", phone, "占道经营", "东园社区" if i % 2 else "西园社区", received, received + 2])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _fixtures():
    from wangge.cases.models import Category
    from wangge.intake.hotline12345 import actions
    from wangge.intake.hotline12345.choices import DEFAULT_MAPPING
    from wangge.org.choices import RegionLevel, Role
    from wangge.org.models import Region, RoleAssignment, User

    tag = f"b12345-{int(time.time())}"
    city = Region.objects.add_root(dict(name="压测市", code=f"{tag}-c", level=RegionLevel.CITY))
    district = Region.objects.add_child(city, dict(name="压测区", code=f"{tag}-d", level=RegionLevel.DISTRICT))
    sub = Region.objects.add_child(district, dict(name="压测街道", code=f"{tag}-s", level=RegionLevel.SUBDISTRICT))
    for i, name in enumerate(("东园社区", "西园社区")):
        sub = Region.objects.get(pk=sub.pk)
        Region.objects.add_child(sub, dict(name=name, code=f"{tag}-m{i}", level=RegionLevel.COMMUNITY))
    sub = Region.objects.get(pk=sub.pk)
    clerk = User.objects.create_user(username=tag, password=None, display_name="压测受理员")
    RoleAssignment.objects.create(user=clerk, role=Role.INTAKE_CLERK, region=sub)
    if not Category.objects.filter(name="占道经营", is_active=True).exists():
        Category.objects.add_root(dict(name="占道经营", code=f"{tag}-street"))
    source = actions.save_source(actor=clerk, name=tag, subdistrict=sub, mapping=dict(DEFAULT_MAPPING))
    return clerk, source


def run(out=sys.stdout) -> list:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from benchmarks.run import Row
    from wangge.intake.hotline12345 import actions, jobs
    from wangge.intake.hotline12345.choices import ImportMode, JobStatus
    from wangge.intake.hotline12345.models import ImportJob

    clerk, source = _fixtures()
    started = time.monotonic()
    content = make_file(ROWS, random.Random(12345), prefix=f"B{int(time.time())}-")  # new orders each run
    out.write(f"12345 import: {ROWS:,}-row workbook generated ({len(content) / 1e6:.1f} MB) "
              f"in {time.monotonic() - started:.1f} s\n")

    job = actions.upload_file(actor=clerk, source=source, upload=SimpleUploadedFile("bench.xlsx", content))
    started = time.monotonic()
    jobs.check_job(job.pk)  # what the worker's task runs
    checked = time.monotonic() - started
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == JobStatus.READY and job.valid_rows == ROWS, (job.status, job.failure, job.errors[:3])
    out.write(f"  checked {ROWS:,} rows in {checked:.1f} s ({ROWS / checked:,.0f} rows/s)\n")

    actions.start_import(actor=clerk, job=job, mode=ImportMode.VALID_ONLY)
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)  # no worker here: run it in-process
    started = time.monotonic()
    jobs.import_job(job.pk)
    seconds = time.monotonic() - started
    job = ImportJob.objects.get(pk=job.pk)
    rate = job.filed_count / seconds if seconds else 0.0
    out.write(f"  imported: {job.filed_count:,} filed, {job.existing_count:,} already there, {job.failed_count} refused, "
              f"in {seconds:.1f} s ({rate:,.0f} rows/s)\n")

    again = actions.upload_file(actor=clerk, source=source, upload=SimpleUploadedFile("bench.xlsx", content))
    jobs.check_job(again.pk)
    actions.start_import(actor=clerk, job=ImportJob.objects.get(pk=again.pk), mode=ImportMode.VALID_ONLY)
    ImportJob.objects.filter(pk=again.pk).update(status=JobStatus.QUEUED)
    started = time.monotonic()
    jobs.import_job(again.pk)
    replay = time.monotonic() - started
    again = ImportJob.objects.get(pk=again.pk)
    out.write(f"  re-import of the same file: {again.existing_count:,} already there, {again.filed_count} filed, "
              f"in {replay:.1f} s\n")
    return [
        Row(f"12345 import, {ROWS:,}-row .xlsx: check", "—", f"{ROWS / checked:,.0f} rows/s ({checked:.1f} s)", None),
        Row(f"12345 import, {ROWS:,}-row .xlsx: file (create_case per row)", f"≥ {TARGET} rows/s",
            f"{rate:,.0f} rows/s ({seconds:.0f} s)", rate >= TARGET and job.filed_count == ROWS),
        Row(f"12345 re-import of the same {ROWS:,} rows (nothing filed twice)", "—",
            f"{ROWS / replay:,.0f} rows/s, {again.filed_count} filed", again.filed_count == 0 and again.existing_count == ROWS),
    ]
