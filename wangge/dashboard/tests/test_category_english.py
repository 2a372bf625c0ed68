"""The dashboard's category chart and its Excel sheet name each category in the page's language:
the English name where one is set (事件分类 ``name_en``), else the Chinese one."""

import io

from django.conf import settings
from openpyxl import load_workbook

from wangge.dashboard import rollup
from wangge.testing import file_case, make_category

from .conftest import wide_period


def test_the_category_chart_speaks_the_page_language(world, client):
    named = make_category("市容环境", name_en="City appearance", department=world.departments["chengguan"])
    bare = make_category("供暖", department=world.departments["huanwei"])
    file_case(world, category=named)
    file_case(world, category=bare)
    rollup.refresh_stats(full=True)
    client.force_login(world.users["leader"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert {r["name"] for r in client.get("/dashboard/", wide_period()).context["categories"]} == {
        "City appearance", "供暖"}
    sheet = load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx", wide_period()).content))["By category"]
    assert "City appearance" in {row[0] for row in sheet.iter_rows(values_only=True)}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert {r["name"] for r in client.get("/dashboard/", wide_period()).context["categories"]} == {"市容环境", "供暖"}
