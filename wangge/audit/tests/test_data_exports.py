"""导出日志: every export of a list is recorded (who, when, which list, the filters, the rows, whether
the cap cut it), shown in the admin, and part of ``manage.py export_audit``; that command writes an
xlsx file without being told where (the README's example)."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.utils.translation import override

from wangge.audit.actions import record_data_export
from wangge.audit.choices import ExportedList
from wangge.audit.models import DataExportRecord
from wangge.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(world):
    request = RequestFactory().get("/cases/export.xlsx", REMOTE_ADDR="10.0.0.9")
    return record_data_export(actor=world.users["clerk"], what=ExportedList.CASES,
                              filters="status=accepted&q=%E6%91%8A%E8%B4%A9", rows=120, cut=True, request=request)


def test_an_export_is_recorded_with_who_what_and_how_many(exported, world):
    record = DataExportRecord.objects.get()
    assert (record.user, record.username, record.what, record.rows, record.cut, record.ip_address) == (
        world.users["clerk"], "clerk", "cases", 120, True, "10.0.0.9")


def test_the_audit_export_has_the_data_exports(exported):
    out = io.StringIO()
    with override("zh-hans"):
        call_command("export_audit", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    row = next(r for r in rows if r[1] == "数据导出")
    assert row[2:6] == ["clerk", "10.0.0.9", "事件列表", "导出"]
    assert row[6] == "120 行；筛选条件：status=accepted&q=摊贩 （超出上限被截断）"


def test_the_admin_lists_the_exports_in_chinese(exported, world, client):
    user = make_user(None, username="auditor", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_dataexportrecord"))
    client.force_login(user)
    page = client.get("/admin/audit/dataexportrecord/").content.decode()
    assert "数据导出日志" in page and "筛选条件" in page and "status=accepted&amp;q=摊贩" in page
    assert client.get("/admin/audit/dataexportrecord/?filters__contains=x").status_code == 400


def test_xlsx_without_output_is_written_in_the_current_directory(exported, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = io.StringIO()
    with override("zh-hans"):
        call_command("export_audit", "--since", "2026-01-01", "--until", "2026-06-30", "--format", "xlsx", stderr=err)
        call_command("export_audit", "--since", "2026-01-01", "--until", "2026-06-30", "--format", "xlsx", stderr=err)
    first, second = tmp_path / "audit-20260101-20260630.xlsx", tmp_path / "audit-20260101-20260630-2.xlsx"
    assert first.exists() and second.exists()  # the second never overwrites the first
    assert f"到 {first}。" in err.getvalue() and f"到 {second}。" in err.getvalue()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
def test_the_export_record_is_append_only(exported):
    for sql in ("UPDATE audit_dataexportrecord SET rows = 1", "DELETE FROM audit_dataexportrecord"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert DataExportRecord.objects.get().rows == 120
