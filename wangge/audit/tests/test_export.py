"""``manage.py export_audit``: admin changes, sign-ins, both data-access logs and — on request —
the timeline with its hashes, in time order, as CSV or XLSX; cells that a spreadsheet would run as
a formula are written as text."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import call_command
from django.utils.translation import override

from wangge.audit.actions import record_sign_in
from wangge.audit.choices import SignInKind
from wangge.cases.actions import reveal_reporter
from wangge.cases.choices import CaseStatus
from wangge.cases.models import Category
from wangge.testing import case_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def audited(world):
    case = case_in_state(world, CaseStatus.ACCEPTED)
    leader = world.users["leader"]
    reveal_reporter(case=case, actor=leader, ip_address="10.0.0.8")
    record_sign_in(kind=SignInKind.FAILED, username="=HYPERLINK(\"http://evil\")")
    category = Category.objects.first()
    LogEntry.objects.log_actions(user_id=world.users["admin"].pk, queryset=[category], action_flag=CHANGE,
                                 change_message="改了名称", single_object=True)
    return case


def export(*args) -> list[list[str]]:
    out = io.StringIO()
    with override("en"):
        call_command("export_audit", *args, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_the_export_has_every_kind_of_record_in_time_order(audited, world):
    rows = export()
    header, body = rows[0], rows[1:]
    assert header == ["time", "category", "who", "IP address", "subject", "action", "detail"]
    categories = [row[1] for row in body]
    assert set(categories) == {"admin change", "sign-in", "reporter data access", "resident data access"}
    assert [row[0] for row in body] == sorted(row[0] for row in body)
    reporter = next(row for row in body if row[1] == "reporter data access")
    assert reporter[2:6] == ["leader", "10.0.0.8", f"case {audited.number}", "granted"]
    admin = next(row for row in body if row[1] == "admin change")
    assert admin[2] == "admin_user" and admin[5] == "changed" and admin[6] == "改了名称"
    assert not any(row[1] == "timeline" for row in body)


def test_formula_cells_are_written_as_text(audited):
    failed = next(row for row in export() if row[1] == "sign-in")
    assert failed[2] == "'=HYPERLINK(\"http://evil\")"


def test_the_timeline_rows_carry_their_hashes(audited):
    timeline = [row for row in export("--timeline") if row[1] == "timeline"]
    hashes = set(audited.events.values_list("hash", flat=True))
    assert len(timeline) == len(hashes) and all(row[4] == f"case {audited.number}" for row in timeline)
    assert {row[6].rsplit(" ", 1)[1] for row in timeline} == hashes


def test_the_period_bounds_the_export(audited):
    assert export("--since", "2000-01-01", "--until", "2000-12-31") == [
        ["time", "category", "who", "IP address", "subject", "action", "detail"]]


def test_xlsx(audited, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "audit.xlsx"
    call_command("export_audit", "--format", "xlsx", "--output", str(target), stderr=io.StringIO())
    sheet = load_workbook(target).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 1 + 4  # header; the reporter and resident access, the sign-in, the admin change
    assert values[0][0] == "时间"
    assert all(not (isinstance(v, str) and v.startswith("=")) for row in values for v in row)


def test_a_residents_own_view_of_their_data_is_exported(world):
    """本人查阅 (我的个人信息) is an access to personal data like a member of staff's: an inspector
    reading the export sees it, with its time and address, and in Chinese by default."""
    from wangge.residents.models import Resident
    from wangge.residents.personal_data import record_self_view

    resident = Resident.objects.create(name="张三丰", phone="13812341234")
    record_self_view(resident=resident, ip_address="10.9.8.7")
    [row] = [row for row in export() if row[1] == "resident's own data view"]
    assert row[2:6] == ["the resident", "10.9.8.7", f"resident #{resident.pk}", "viewed"]
    out = io.StringIO()
    with override("zh-hans"):
        call_command("export_audit", stdout=out)
    assert f"居民本人查阅,居民本人,10.9.8.7,居民 #{resident.pk},查阅" in out.getvalue()
