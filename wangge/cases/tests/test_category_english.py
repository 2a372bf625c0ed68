"""事件分类 in English: a category may carry an English name, shown to whom reads the pages in
English; the Chinese pages keep the Chinese name, and a category with no English name shows its
Chinese one in English too. The language is chosen when the name is shown: the same category
object (or a process cache holding one) serves both languages. The API keeps ``name`` as stored
and gives ``name_en`` beside it; the record of a case keeps the name as stored."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from wangge.cases import actions
from wangge.cases.models import CaseEvent, Category
from wangge.testing import file_case, make_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(world):
    """占道经营 with an English name; 乱堆乱放 without one."""
    return (make_category("占道经营", code="zhandao", name_en="Street vending", department=world.departments["chengguan"]),
            make_category("乱堆乱放", code="luandui", department=world.departments["chengguan"]))


def page(client, settings, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def category_shown(html: str, language: str) -> str:
    """The case page's 事件分类 field."""
    with translation.override(language):
        label = translation.gettext("Category")
    return re.search(rf"<dt>{label}</dt><dd>(.*?)</dd>", html).group(1)


def test_the_case_page_names_the_category_in_the_page_language(world, named, client, settings):
    vending, piles = named
    case, other = file_case(world, category=vending), file_case(world, category=piles)
    client.force_login(world.users["clerk"])
    assert category_shown(page(client, settings, case.get_absolute_url(), "en"), "en") == "Street vending"
    chinese = page(client, settings, case.get_absolute_url(), "zh-hans")
    assert category_shown(chinese, "zh-hans") == "占道经营" and "Street vending" not in chinese
    # No English name: the Chinese one, in English too.
    assert category_shown(page(client, settings, other.get_absolute_url(), "en"), "en") == "乱堆乱放"


def test_the_case_list_and_the_category_picker_follow_the_language(world, named, client, settings):
    vending, _piles = named
    file_case(world, category=vending, description="人行道上有人摆摊卖菜")
    client.force_login(world.users["clerk"])
    english = page(client, settings, "/cases/", "en")
    assert "Street vending" in english and "占道经营" not in english
    chinese = page(client, settings, "/cases/", "zh-hans")
    assert "占道经营" in chinese and "Street vending" not in chinese


def test_one_object_serves_both_languages(named):
    """Nothing keeps the first language a category was shown in (a process cache holds objects)."""
    vending, piles = named
    for _ in range(2):
        with translation.override("en"):
            assert str(vending) == vending.display_name == "Street vending" and str(piles) == "乱堆乱放"
        with translation.override("zh-hans"):
            assert str(vending) == "占道经营"


def test_the_api_keeps_name_as_stored_and_gives_name_en(world, named):
    vending, piles = named
    file_case(world, category=vending)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(world.users["clerk"])
    tree = {node["code"]: node for node in client.get("/api/v1/categories/").json()}
    assert (tree["zhandao"]["name"], tree["zhandao"]["name_en"]) == ("占道经营", "Street vending")
    assert (tree["luandui"]["name"], tree["luandui"]["name_en"]) == ("乱堆乱放", "")
    [row] = client.get("/api/v1/cases/").json()["results"]
    assert row["category"] == {"id": vending.pk, "name": "占道经营", "name_en": "Street vending"}


def test_the_record_keeps_the_name_as_stored(world, named):
    """An English-speaking clerk's 改类 is recorded with the category's own name, not the English one."""
    vending, piles = named
    case = file_case(world, category=piles)
    with translation.override("en"):
        actions.classify_case(case=case, actor=world.users["clerk"], category=vending)
    event = CaseEvent.objects.filter(case=case).latest("pk")
    assert event.data["category"][1]["name"] == "占道经营"


def test_the_admin_edits_the_english_name(world, named, admin_client):
    vending, _piles = named
    form = admin_client.get(f"/admin/cases/category/{vending.pk}/change/").content.decode()
    assert 'name="name_en"' in form and 'value="Street vending"' in form
    assert Category._meta.get_field("name_en").blank
