"""导出 Excel on the case list: the filtered list the user sees (same filters, same scope), names and
phones masked, Chinese or English headers as the pages, at most ``EXPORT_CAP`` cases (the page
asks to narrow the filters first, a cut file says so), every export recorded."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from wangge.audit.choices import ExportedList
from wangge.audit.models import DataExportRecord
from wangge.cases.choices import CaseStatus
from wangge.testing import case_in_state, file_case
from wangge.web import case_export

pytestmark = pytest.mark.django_db

URL = reverse("web:case_list_export")


def sheet(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def numbers(rows) -> set[str]:
    return {r[0] for r in rows[1:] if r and r[0]}


def test_the_case_list_offers_the_export_with_its_filters(login, world, categories):
    page = login(world.users["clerk"]).get("/cases/?status=accepted&q=摊贩").content.decode()
    assert "导出 Excel" in page
    assert f'href="{URL}?status=accepted&amp;q=%E6%91%8A%E8%B4%A9"' in page


def test_the_export_holds_the_filtered_list_with_chinese_headers_and_masked_reporters(login, world, categories):
    accepted = case_in_state(world, CaseStatus.ACCEPTED, category=categories["street"])
    submitted = file_case(world, category=categories["rubbish"])
    rows = sheet(login(world.users["clerk"]).get(f"{URL}?status=accepted"))
    header = rows[0]
    assert header[:12] == ["编号", "标题", "来源渠道", "事件分类", "星级", "状态", "亮灯", "网格", "社区", "街道", "承办部门",
                           "地址"]
    assert {"反映人（脱敏）", "联系电话（脱敏）", "登记时间", "受理时间", "受理时限", "派单时限", "办结时限", "办结时间",
            "结案时间", "是否按时办结", "满意度"} <= set(header)
    assert numbers(rows) == {accepted.number}
    assert submitted.number not in numbers(rows)
    row = dict(zip(header, rows[1]))
    assert row["事件分类"] == "占道经营" and row["状态"] == "已受理" and row["地址"] == "和平路1号"
    assert row["网格"] == world.grids[0].name and row["星级"] == accepted.star
    assert row["反映人（脱敏）"] == "张*" and row["联系电话（脱敏）"] == "138****1234"
    # Masked, everywhere in the file: the full name and phone appear in no cell.
    cells = [str(c) for r in rows for c in r if c is not None]
    assert not any("13812341234" in c or "张三" in c for c in cells)
    assert row["受理时间"] == timezone.localtime(accepted.accepted_at).strftime("%Y-%m-%d %H:%M")  # local time
    assert row["办结时间"] is None  # not resolved


def test_an_anonymous_reporter_stays_anonymous(login, world, categories):
    file_case(world, category=categories["street"], reporter_anonymous=True, reporter_name="李四")
    rows = sheet(login(world.users["clerk"]).get(URL))
    row = dict(zip(rows[0], rows[1]))
    assert row["反映人（脱敏）"] == "匿名"


def test_the_export_is_scoped_like_the_list(login, world, categories):
    mine = file_case(world, category=categories["street"])
    elsewhere = file_case(world, grid=world.grids[2], category=categories["street"])
    # A grid worker exports their grid's cases only, even asking for the other grid by its filter.
    client = login(world.users["worker_a1"])
    assert numbers(sheet(client.get(URL))) == {mine.number}
    assert numbers(sheet(client.get(f"{URL}?grid={world.grids[2].pk}"))) == set()
    assert elsewhere.number not in numbers(sheet(client.get(f"{URL}?q={elsewhere.number}")))


def test_english_headers_in_english(login, world, categories):
    file_case(world, category=categories["street"])
    client = login(world.users["clerk"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/cases/"})
    rows = sheet(client.get(URL))
    assert rows[0][:3] == ["Number", "Title", "Channel"]
    assert "Reporter (masked)" in rows[0] and "Resolved on time" in rows[0]


def test_every_export_is_recorded(login, world, categories):
    file_case(world, category=categories["street"])
    file_case(world, category=categories["street"])
    sheet(login(world.users["clerk"]).get(f"{URL}?status=submitted&page=3&after=x"))
    record = DataExportRecord.objects.get()
    assert record.user == world.users["clerk"] and record.username == "clerk"
    assert record.what == ExportedList.CASES and record.rows == 2 and not record.cut
    assert record.filters == "status=submitted"  # the filters, not the paging


def test_invalid_filters_go_back_to_the_list_and_export_nothing(login, world):
    response = login(world.users["clerk"]).get(f"{URL}?submitted_after=yesterday")
    assert response.status_code == 302 and response["Location"] == "/cases/?submitted_after=yesterday"
    assert not DataExportRecord.objects.exists()


def test_a_list_over_the_cap_asks_to_narrow_it_and_a_cut_file_says_so(login, world, categories, monkeypatch):
    monkeypatch.setattr(case_export, "EXPORT_CAP", 2)
    made = [file_case(world, category=categories["street"]).number for _ in range(3)]
    client = login(world.users["clerk"])
    response = client.get(f"{URL}?status=submitted")
    assert response.status_code == 302
    assert response["Location"] == "/cases/?status=submitted&export=too-long"
    assert not DataExportRecord.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "超过 2 件" in page and "请缩小筛选范围" in page
    assert f'href="{URL}?status=submitted&amp;cut=1"' in page

    response = client.get(f"{URL}?status=submitted&cut=1")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert numbers(rows[:3]) == set(made[1:])  # the newest two
    assert book.active.title == "事件列表（最新 2 件）"
    assert "仅包含最新的 2 件" in rows[-1][0] and "缩小筛选范围" in rows[-1][0]
    record = DataExportRecord.objects.get()
    assert record.rows == 2 and record.cut


def test_a_list_at_the_cap_is_not_cut(login, world, categories, monkeypatch):
    monkeypatch.setattr(case_export, "EXPORT_CAP", 2)
    for _ in range(2):
        file_case(world, category=categories["street"])
    rows = sheet(login(world.users["clerk"]).get(URL))
    assert len(rows) == 3 and not DataExportRecord.objects.get().cut


def test_the_export_reads_in_chunks(login, world, categories, monkeypatch):
    """Never the whole list in memory: the cases come through ``.iterator()``."""
    from django.db.models.query import QuerySet

    seen = []
    real = QuerySet.iterator

    def spy(self, chunk_size=None):
        seen.append(chunk_size)
        return real(self, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", spy)
    file_case(world, category=categories["street"])
    sheet(login(world.users["clerk"]).get(URL))
    assert case_export.CHUNK in seen
