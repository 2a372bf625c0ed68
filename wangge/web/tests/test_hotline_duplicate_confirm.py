"""Hotline intake next to a likely duplicate (疑似重复): saving a call that the duplicate finder
would flag as a possible duplicate of an earlier case asks the clerk once — the form comes back,
nothing filed, with the cases named and 仍然登记为新事件 — instead of filing it beside them
without a word (the demo's WG…-00040 filed next to -00029). Works without JavaScript; a call
that is not such a candidate saves as before, and a form saved once is still filed once."""

from __future__ import annotations

import re

import pytest

from wangge.cases.models import Case
from wangge.intake.duplicates.selectors import find_matches, store_threshold
from wangge.testing import file_case

from .test_hotline_double_submit import form_key
from .test_views import hotline_data

pytestmark = pytest.mark.django_db

HOTLINE = "/cases/new/"


@pytest.fixture
def earlier(world, categories):
    """The same problem reported an hour ago from the same grid."""
    return file_case(world, grid=world.grids[1], category=categories["street"],
                     description="路边有人摆摊占道，堵住了盲道", address="和平路8号")


def confirm_value(html: str) -> str:
    match = re.search(r'name="file_anyway" value="([^"]*)"', html)
    assert match, "no 仍然登记为新事件 button"
    return match.group(1)


def test_the_bar_is_the_finders_own(world, categories, earlier):
    """What is asked about is what the finder would store as a candidate once the call is filed."""
    found = find_matches(text="路边有人摆摊占道，堵住了盲道", category_id=categories["street"].pk, grid_id=world.grids[1].pk)
    assert [m.case for m in found] == [earlier] and found[0].score >= store_threshold()


def test_a_likely_duplicate_is_asked_about_once(login, world, categories, earlier):
    client = login(world.users["clerk"])
    data = hotline_data(world, categories["street"], submission=form_key(client))
    asked = client.post(HOTLINE, data)
    html = asked.content.decode()
    assert asked.status_code == 200 and Case.objects.count() == 1  # nothing filed yet
    assert 'data-testid="duplicate-confirm"' in html and earlier.number in html
    assert "尚未保存：此来电与已登记的事件相似。" in html and "仍然登记为新事件" in html
    # What was typed comes back for the clerk to file.
    assert "路边有人摆摊占道，堵住了盲道" in html and 'value="13900001111"' in html
    # The clerk confirms: filed, once, with the form's own key (a second click files nothing more).
    confirmed = {**data, "file_anyway": confirm_value(html)}
    filed = client.post(HOTLINE, confirmed)
    new = Case.objects.exclude(pk=earlier.pk).get()
    assert filed.status_code == 302 and filed["Location"].endswith(f"/{new.number}/")
    client.post(HOTLINE, confirmed)
    assert Case.objects.count() == 2


def test_the_same_form_saved_twice_after_confirming_says_it_was_filed(login, world, categories, earlier):
    """The double-submit protection still answers first: the second save of a filed form is not
    asked about the case it just filed."""
    client = login(world.users["clerk"])
    data = hotline_data(world, categories["street"], submission=form_key(client), file_anyway=earlier.number)
    client.post(HOTLINE, data)
    again = client.post(HOTLINE, data, follow=True)
    assert Case.objects.count() == 2
    assert "已由此表单登记" in again.content.decode()


def test_a_call_about_something_else_saves_at_once(login, world, categories, earlier):
    client = login(world.users["clerk"])
    other = hotline_data(world, categories["rubbish"], description="楼道里的垃圾三天没人清运，很臭",
                         submission=form_key(client))
    response = client.post(HOTLINE, other)
    assert response.status_code == 302 and Case.objects.count() == 2


def test_a_new_likely_duplicate_is_asked_about_again(login, world, categories, earlier):
    """Confirmed beside one case; another like it filed meanwhile: asked about that one."""
    client = login(world.users["clerk"])
    data = hotline_data(world, categories["street"], submission=form_key(client), file_anyway=earlier.number)
    meanwhile = file_case(world, grid=world.grids[1], category=categories["street"],
                          description="路边有人摆摊占道，堵住了盲道")
    html = client.post(HOTLINE, data).content.decode()
    assert Case.objects.count() == 2 and meanwhile.number in html


def test_english(login, world, categories, earlier):
    client = login(world.users["clerk"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.post(HOTLINE, hotline_data(world, categories["street"], submission=form_key(client))
                       ).content.decode()
    assert "Not saved yet: this call looks like a case already filed." in html
    assert "File as a new case anyway" in html and earlier.number in html


def test_the_nearby_panel_looks_again_when_the_form_comes_back(login, world, categories, earlier):
    """The form comes back with the category and the place chosen: the 附近的相似在办事件 panel
    asks at once, instead of saying to choose what is already chosen until a field changes."""
    client = login(world.users["clerk"])
    fresh = client.get(HOTLINE).content.decode()
    asked = client.post(HOTLINE, hotline_data(world, categories["street"], submission=form_key(client)))
    panel = re.compile(r'id="similar-cases"[^>]*hx-trigger="load, change from:#id_category')
    assert panel.search(asked.content.decode()) and not panel.search(fresh)
