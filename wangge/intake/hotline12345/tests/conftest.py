"""Fixtures of the 12345 import tests: a source with the default mapping, file makers."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from wangge.intake.hotline12345 import actions
from wangge.intake.hotline12345.choices import DEFAULT_MAPPING

HEAD = ["工单编号", "工单标题", "诉求内容", "事发地址", "来电人", "联系电话", "诉求类别", "所属社区", "受理时间", "办理时限"]


def order(n: int, **over) -> dict:
    row = {"工单编号": f"GD2026030100{n:03d}", "工单标题": "", "诉求内容": f"第{n}号：小区门口流动摊贩占道经营",
           "事发地址": "和平路1号", "来电人": "张先生", "联系电话": "13812341234", "诉求类别": "占道经营",
           "所属社区": "东园社区", "受理时间": "2026-03-01 08:30", "办理时限": "2026-03-03 18:00"}
    row.update(over)
    return row


def xlsx(rows: list[dict], head=HEAD, formats: dict | None = None) -> bytes:
    """A workbook as the hotline sends it; ``formats``: heading → number format for that column."""
    wb = Workbook()
    ws = wb.active
    ws.append(head)
    for r in rows:
        ws.append([r.get(h) for h in head])
    for heading, fmt in (formats or {}).items():
        col = head.index(heading) + 1
        for cells in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cells[0].number_format = fmt
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[dict], encoding="utf-8", head=HEAD) -> bytes:
    def field(v):
        v = "" if v is None else str(v)
        return f'"{v.replace(chr(34), chr(34) * 2)}"' if any(c in v for c in ',"\n') else v

    lines = [",".join(head)] + [",".join(field(r.get(h)) for h in head) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture
def category(world):
    from wangge.testing import make_category

    return make_category("占道经营", department=world.departments["chengguan"], code="street")


@pytest.fixture
def source(world, category):
    return actions.save_source(actor=world.users["clerk"], name="12345热线", subdistrict=world.subdistrict,
                               mapping=dict(DEFAULT_MAPPING))


@pytest.fixture
def run(world, source, django_capture_on_commit_callbacks):
    """``run(name, content, mode=None)`` uploads as the clerk and checks (and imports, with a
    mode) through the background tasks (the test settings run them at once)."""
    from wangge.intake.hotline12345.models import ImportJob, ImportSource

    def go(name, content, mode=None, actor=None):
        actor = actor or world.users["clerk"]
        with django_capture_on_commit_callbacks(execute=True):
            job = actions.upload_file(actor=actor, source=ImportSource.objects.get(pk=source.pk),
                                     upload=upload(name, content))
        job = ImportJob.objects.get(pk=job.pk)
        if mode:
            with django_capture_on_commit_callbacks(execute=True):
                actions.start_import(actor=actor, job=job, mode=mode)
            job = ImportJob.objects.get(pk=job.pk)
        return job

    return go
