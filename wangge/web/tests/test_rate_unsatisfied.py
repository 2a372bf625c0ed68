"""评价 on the resident's behalf: 不满意 reopens the case and sends it back to its handler, so the
clerk must say what the resident is not satisfied with (the handler reads it on the reopened
case), and is told where the case went."""

from __future__ import annotations

import pytest

from wangge.cases.choices import CaseStatus, EventType
from wangge.cases.models import CaseEvent
from wangge.testing import case_in_state

from .test_views import action_url, detail_url

pytestmark = pytest.mark.django_db


def test_unsatisfied_without_saying_what_with_is_refused_and_changes_nothing(login, world, categories):
    resolved = case_in_state(world, CaseStatus.RESOLVED, category=categories["street"])
    response = login(world.users["clerk"]).post(action_url(resolved, "rate"), {"rate-satisfaction": "unsatisfied",
                                                                                "rate-comment": "  "})
    assert response.status_code == 200
    assert "请记录不满意的具体内容" in response.content.decode()
    resolved.refresh_from_db()
    assert resolved.status == CaseStatus.RESOLVED and not resolved.satisfaction


def test_unsatisfied_with_the_reason_reopens_to_the_handler_and_says_so(login, world, categories):
    resolved = case_in_state(world, CaseStatus.RESOLVED, category=categories["street"])
    handler = resolved.lead_assignment().target
    response = login(world.users["clerk"]).post(action_url(resolved, "rate"), {
        "rate-satisfaction": "unsatisfied", "rate-comment": "摊贩第二天又来了"}, follow=True)
    assert response.redirect_chain[-1][0] == detail_url(resolved)
    assert f"事件已重办，退回 {handler} 重新办理" in response.content.decode()
    resolved.refresh_from_db()
    assert resolved.status != CaseStatus.RESOLVED and resolved.reopen_count == 1
    reopened = CaseEvent.objects.filter(case=resolved, type=EventType.REOPENED).get()
    assert "摊贩第二天又来了" in reopened.note


def test_a_satisfied_rating_needs_no_comment_and_names_the_rating(login, world, categories):
    resolved = case_in_state(world, CaseStatus.RESOLVED, category=categories["street"])
    client = login(world.users["clerk"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post(action_url(resolved, "rate"), {"rate-satisfaction": "basically"}, follow=True)
    assert "Rating recorded: Basically satisfied." in response.content.decode()
