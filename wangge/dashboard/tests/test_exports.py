"""The dashboard's export carries a resident's text as text, never as a formula (OWASP CSV
injection; the shared writer is tested in ``core/tests/test_exports.py``)."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from openpyxl import load_workbook

from wangge.cases.choices import CaseStatus
from wangge.core.tests.test_exports import ATTACK, sheet_xml
from wangge.testing import case_in_state


def test_the_dashboard_export_carries_a_residents_formula_as_text(world, client):
    case = case_in_state(world, CaseStatus.DISPATCHED, title=ATTACK, submitted_at=timezone.now() - dt.timedelta(days=30))
    client.force_login(world.users["leader"])
    today = timezone.localdate()
    response = client.get("/dashboard/export.xlsx", {"period": "range", "start": (today - dt.timedelta(days=40)).isoformat(),
                                                     "end": today.isoformat()})
    assert response.status_code == 200
    assert "<f>" not in sheet_xml(response.content)
    wb = load_workbook(io.BytesIO(response.content))
    overdue = wb[wb.sheetnames[-1]]
    row = next(r for r in overdue.iter_rows(min_row=2) if r[0].value == case.number)
    assert (row[1].value, row[1].data_type) == ("'" + ATTACK, "s")


def _ranking_headings(client, **cookies) -> list[str]:
    for name, value in cookies.items():
        client.cookies[name] = value
    response = client.get("/dashboard/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[1]
    return [r[0].value for r in sheet.iter_rows() if r[0].value and r[1].value is None]


def test_the_ranking_sheet_headings_read_as_one_sentence_in_chinese_and_in_english(world, client, settings):
    client.force_login(world.users["leader"])
    assert _ranking_headings(client) == ["社区（按解决率排名）", "网格（按解决率排名）", "承办部门（按解决率排名）"]
    english = _ranking_headings(client, **{settings.LANGUAGE_COOKIE_NAME: "en"})
    assert english[0] == "Communities — ranked by Resolution rate"
