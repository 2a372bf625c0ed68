"""Rate (评价): once per resolution; 不满意 reopens the case (the core's rule)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wangge.cases import actions
from wangge.cases.choices import CaseStatus, EventType, Satisfaction
from wangge.cases.models import CaseEvent
from wangge.testing import case_in_state

pytestmark = pytest.mark.django_db


def rate_url(case) -> str:
    return reverse("portal:rate", kwargs={"token": case.tracking_token})


def test_satisfied(client, world):
    case = case_in_state(world, CaseStatus.RESOLVED)
    response = client.post(rate_url(case), {"satisfaction": Satisfaction.SATISFIED, "comment": "很及时"}, follow=True)
    case.refresh_from_db()
    assert case.satisfaction == Satisfaction.SATISFIED and case.rating_comment == "很及时"
    assert case.status == CaseStatus.RESOLVED
    html = response.content.decode()
    assert "感谢您的评价" in html and "您的评价：<strong>满意</strong>" in html
    assert 'data-testid="rate-submit"' not in html


def test_only_once_per_resolution(client, world):
    case = case_in_state(world, CaseStatus.RESOLVED)
    client.post(rate_url(case), {"satisfaction": Satisfaction.BASICALLY})
    response = client.post(rate_url(case), {"satisfaction": Satisfaction.UNSATISFIED}, follow=True)
    case.refresh_from_db()
    assert case.satisfaction == Satisfaction.BASICALLY and case.status == CaseStatus.RESOLVED
    assert CaseEvent.objects.filter(case=case, type=EventType.RATED).count() == 1
    assert "该答复已经评价过" in response.content.decode()


def test_unsatisfied_reopens_and_can_rate_the_next_answer(client, world):
    case = case_in_state(world, CaseStatus.RESOLVED)
    response = client.post(rate_url(case), {"satisfaction": Satisfaction.UNSATISFIED, "comment": "摊贩又回来了"},
                           follow=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED and case.reopen_count == 1
    html = response.content.decode()
    assert "已重新交办处理" in html and "您的评价：不满意" in html and "摊贩又回来了" in html
    assert 'data-testid="rate-submit"' not in html

    officer = world.users["chengguan"]
    actions.claim_case(case=case, actor=officer)
    actions.resolve_case(case=case, actor=officer, result="已安排每日巡查")
    assert 'data-testid="rate-submit"' in client.get(reverse("portal:case", args=[case.tracking_token])).content.decode()
    client.post(rate_url(case), {"satisfaction": Satisfaction.SATISFIED})
    case.refresh_from_db()
    assert case.satisfaction == Satisfaction.SATISFIED


def test_cannot_rate_before_the_answer(client, world):
    case = case_in_state(world, CaseStatus.IN_PROGRESS)
    html = client.get(reverse("portal:case", args=[case.tracking_token])).content.decode()
    assert 'data-testid="rate-submit"' not in html
    response = client.post(rate_url(case), {"satisfaction": Satisfaction.SATISFIED}, follow=True)
    case.refresh_from_db()
    assert case.satisfaction == "" and case.rated_at is None
    assert "暂时还不能评价" in response.content.decode()


@pytest.mark.parametrize("data, message", [
    ({}, "请选择您的满意程度"),
    ({"satisfaction": "great"}, "请选择您的满意程度"),
    ({"satisfaction": Satisfaction.SATISFIED, "comment": "好" * 1001}, "内容太长了"),
])
def test_bad_ratings_write_nothing(client, world, data, message):
    case = case_in_state(world, CaseStatus.RESOLVED)
    response = client.post(rate_url(case), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    case.refresh_from_db()
    assert case.rated_at is None and case.status == CaseStatus.RESOLVED


def test_rating_needs_the_link_and_a_post(client, world):
    case = case_in_state(world, CaseStatus.RESOLVED)
    assert client.post("/r/t/not-the-token/rate/", {"satisfaction": Satisfaction.SATISFIED}).status_code == 404
    case.refresh_from_db()
    assert case.rated_at is None


def test_opening_the_rating_address_as_a_link_shows_the_rating_form(client, world):
    """WeChat "handled" notices were sent with this address as their rating link: tapping it
    opens the case page at its rating card (it gave a bare 405 error), and rates nothing."""
    case = case_in_state(world, CaseStatus.RESOLVED)
    response = client.get(rate_url(case))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case", args=[case.tracking_token]) + "#rate"
    html = client.get(response["Location"]).content.decode()
    assert 'id="rate"' in html and 'data-testid="rate-submit"' in html
    case.refresh_from_db()
    assert case.rated_at is None
