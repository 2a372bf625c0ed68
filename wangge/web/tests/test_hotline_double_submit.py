"""A hotline call saved twice from the same form (防重复提交): a double click on 保存登记, or
Ctrl+Enter pressed again while the page is still loading, files one case, never two."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case

from .test_views import hotline_data

pytestmark = pytest.mark.django_db

HOTLINE = "/cases/new/"


def form_key(client) -> str:
    """The key the hotline page hands its form, as the browser posts it back."""
    html = client.get(HOTLINE).content.decode()
    match = re.search(r'<input type="hidden" name="submission" value="([A-Za-z0-9_-]+)"', html)
    assert match, "the hotline form carries no submission key"
    return match.group(1)


def test_each_form_gets_its_own_key(login, world):
    client = login(world.users["clerk"])
    assert form_key(client) != form_key(client)


def test_the_same_call_saved_twice_files_one_case(login, world, categories):
    client = login(world.users["clerk"])
    data = hotline_data(world, categories["street"], submission=form_key(client))
    first = client.post(HOTLINE, data)
    second = client.post(HOTLINE, data, follow=True)
    case = Case.objects.get()
    assert first["Location"] == reverse("web:case_detail", args=[case.number])
    assert second.redirect_chain[-1][0] == first["Location"]
    assert f"{case.number} 已由此表单登记" in second.content.decode()


def test_saved_twice_with_dispatch_now_is_dispatched_once(login, world, categories):
    client = login(world.users["clerk"])
    data = hotline_data(world, categories["rubbish"], dispatch_now="on", submission=form_key(client))
    client.post(HOTLINE, data)
    client.post(HOTLINE, data)
    case = Case.objects.get()
    assert case.status == CaseStatus.DISPATCHED and case.assignments.count() == 1


def test_two_forms_file_two_cases(login, world, categories):
    """Two callers reporting the same thing are two calls: each form its own key (the second, a
    likely duplicate of the first, once the clerk confirms it: test_hotline_duplicate_confirm)."""
    client = login(world.users["clerk"])
    client.post(HOTLINE, hotline_data(world, categories["street"], submission=form_key(client)))
    first = Case.objects.get()
    client.post(HOTLINE, hotline_data(world, categories["street"], submission=form_key(client),
                                      file_anyway=first.number))
    assert Case.objects.count() == 2


def test_a_saved_form_changed_and_saved_again_says_so_first(login, world, categories):
    """Back to the saved form, changed, saved again: the clerk is told it was saved as a case
    already (nothing new filed); saving once more files the new case."""
    client = login(world.users["clerk"])
    key = form_key(client)
    client.post(HOTLINE, hotline_data(world, categories["street"], submission=key))
    first = Case.objects.get()
    changed = hotline_data(world, categories["street"], submission=key, description="另一件事：路灯不亮")
    response = client.post(HOTLINE, changed)
    assert response.status_code == 200 and Case.objects.count() == 1
    assert f"此表单已登记为事件 {first.number}" in response.content.decode()
    again = response.context["form"].data["submission"]
    assert again != key
    client.post(HOTLINE, {**changed, "submission": again})
    assert Case.objects.count() == 2


def test_english(login, world, categories):
    client = login(world.users["clerk"])
    data = hotline_data(world, categories["street"], submission=form_key(client))
    client.post(HOTLINE, data)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post(HOTLINE, data, follow=True)
    assert "was already filed from this form: nothing new was filed" in response.content.decode()
