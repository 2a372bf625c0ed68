"""Spreadsheet import: all or nothing, every bad row named in the user's language."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from wangge.core.errors import InvalidInput
from wangge.patrols import imports
from wangge.patrols.choices import Frequency, PointClass
from wangge.patrols.models import PatrolPoint, VisitSlot

pytestmark = pytest.mark.django_db


def xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return SimpleUploadedFile("points.xlsx", buf.getvalue())


HEADER = ["网格编码", "点位名称", "类别", "纬度", "经度", "频次", "地址"]


def test_a_good_file_imports_every_point_with_its_slots(world):
    code = world.grids[0].code
    n = imports.import_points(actor=world.users["secretary_a"], file=xlsx([
        HEADER,
        [code, "老王小炒", "五小门店", 39.905, 116.305, None, "幸福路1号"],
        [code, "建行网点", "银行网点", 39.906, 116.306, None, None],
        [code, "实验小学", "school", 39.907, 116.307, "每周", None],
    ]))
    assert n == 3
    points = {p.name: p for p in PatrolPoint.objects.all()}
    assert points["老王小炒"].point_class == PointClass.SMALL_SHOP and points["老王小炒"].frequency == Frequency.DAILY
    assert points["建行网点"].frequency == Frequency.WEEKLY
    assert points["实验小学"].frequency == Frequency.WEEKLY and points["实验小学"].grid == world.grids[0]
    assert VisitSlot.objects.count() == 3


def test_any_bad_row_refuses_the_file_and_names_each_problem_in_chinese(world):
    code = world.grids[0].code
    with translation.override("zh-hans"), pytest.raises(imports.ImportRefused) as refused:
        imports.import_points(actor=world.users["secretary_a"], file=xlsx([
            HEADER,
            [code, "好的点位", "五小门店", 39.905, 116.305],
            ["no-such-grid", "甲", "五小门店", 39.9, 116.3],
            [code, "乙", "火星基地", 39.9, 116.3],
            [code, "丙", "学校", "北纬", 116.3],
            [code, "好的点位", "学校", 39.9, 116.3],
            [world.grids[2].code, "丁", "学校", 39.9, 116.3],
        ]))
    rows = [number for number, _text in refused.value.rows]
    assert rows == [3, 4, 5, 6, 7]
    texts = [text for _n, text in refused.value.rows]
    assert texts[0].startswith("第 3 行") and "no-such-grid" in texts[0]
    assert not PatrolPoint.objects.exists() and not VisitSlot.objects.exists()


def test_a_file_that_is_not_a_workbook_or_lacks_columns_is_refused(world):
    with pytest.raises(InvalidInput):
        imports.import_points(actor=world.users["secretary_a"], file=SimpleUploadedFile("x.xlsx", b"PK\x03\x04junk"))
    with pytest.raises(InvalidInput):
        imports.import_points(actor=world.users["secretary_a"], file=xlsx([["名称", "经度"], ["a", 1]]))


def test_the_points_page_imports_and_shows_the_errors(world, client):
    client.force_login(world.users["secretary_a"])
    bad = client.post("/patrols/points/", {"file": xlsx([HEADER, ["nope", "甲", "五小门店", 39.9, 116.3]])})
    assert bad.status_code == 200 and 'data-testid="import-errors"' in bad.content.decode()
    good = client.post("/patrols/points/", {"file": xlsx([HEADER, [world.grids[0].code, "甲", "五小门店", 39.9, 116.3]])})
    assert good.status_code == 302 and PatrolPoint.objects.count() == 1
    client.force_login(world.users["worker_a1"])
    assert client.get("/patrols/points/").status_code == 404
