"""The data-protection officer sees the key-person register where they see every other access to
personal data: an export of the register (names, phones, ID numbers, addresses) is in the office's
export log (导出日志) beside the case lists, and every full view, export and refused attempt is in
``manage.py export_audit``."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import override

from wangge.audit.models import DataExportRecord
from wangge.keypersons import actions
from wangge.keypersons.errors import ExportForbidden

pytestmark = pytest.mark.django_db


def audit_rows(language: str) -> list[list[str]]:
    out = io.StringIO()
    with override(language):
        call_command("export_audit", stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))


def test_an_export_of_the_register_is_in_the_export_log(world, register, client):
    register()
    client.force_login(world.users["secretary_a"])
    response = client.post(reverse("keypersons:export"), {"purpose": "季度走访"}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 200
    record = DataExportRecord.objects.get()
    assert (record.username, record.what, record.rows, record.ip_address) == ("secretary_a", "keypersons", 1,
                                                                              "10.0.0.7")
    with override("zh-hans"):
        assert record.get_what_display() == "重点人员名册"


def test_the_audit_export_has_every_view_export_and_refusal_of_key_persons(world, register):
    person = register()
    actions.reveal_key_person(actor=world.users["worker_a1"], person=person, purpose="call")
    actions.export_key_persons(actor=world.users["secretary_a"], purpose="季度走访")
    with pytest.raises(ExportForbidden):
        actions.export_key_persons(actor=world.users["worker_a1"])

    rows = [r for r in audit_rows("zh-hans") if r[1] == "查看重点人员信息"]
    assert [r[2:6] for r in rows] == [
        ["worker_a1", "", f"重点人员 #{person.pk}", "已准许"],
        ["secretary_a", "", "重点人员名册", "已准许"],
        ["worker_a1", "", "重点人员名册", "已拒绝"],
    ]
    assert "1 行" in rows[1][6] and "季度走访" in rows[1][6]
    # The person's data itself is never in the audit file.
    assert not any("13812345678" in cell or "110105194901011234" in cell for r in rows for cell in r)

    english = [r for r in audit_rows("en") if r[1] == "key-person data access"]
    assert [r[4] for r in english] == [f"key person #{person.pk}", "key-person register", "key-person register"]
