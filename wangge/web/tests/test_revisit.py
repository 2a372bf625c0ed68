"""回访 (三看) on the case page: each check with the resident's words; a revisit the resident does
not accept reopens or escalates the case; the outcome, the rating and the answer's photos shown."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wangge.cases import actions
from wangge.cases.choices import CaseStatus, EventType
from wangge.cases.models import CaseEvent
from wangge.testing import case_in_state, file_case

from .conftest import png_bytes

pytestmark = pytest.mark.django_db


def url(case, action=None):
    if action:
        return reverse("web:case_action", args=[case.number, action])
    return reverse("web:case_detail", args=[case.number])


def revisit(accepted="yes", **extra):
    data = {"revisit-lawful": "yes", "revisit-lawful_words": "按规定处理的", "revisit-in_place": "yes",
            "revisit-in_place_words": "摊贩已经不来了", "revisit-accepted": accepted,
            "revisit-accepted_words": "满意，谢谢" if accepted == "yes" else "过两天又来了，不认可"}
    data.update({f"revisit-{k}": v for k, v in extra.items()})
    return data


def test_accepted_revisit_shows_the_checks_and_the_button_goes(world, login):
    case = case_in_state(world, CaseStatus.RESOLVED)
    clerk = login(world.users["clerk"])
    assert 'data-testid="do-revisit"' in clerk.get(url(case)).content.decode()
    assert clerk.post(url(case, "revisit"), revisit()).status_code == 302
    event = CaseEvent.objects.get(case=case, type=EventType.REVISITED)
    assert event.data["words"] == {"lawful": "按规定处理的", "in_place": "摊贩已经不来了", "accepted": "满意，谢谢"}
    page = clerk.get(url(case)).content.decode()
    assert 'data-testid="revisit-outcome"' in page and "摊贩已经不来了" in page
    assert 'data-testid="do-revisit"' not in page
    # A second revisit of the same answer is refused.
    assert clerk.post(url(case, "revisit"), revisit()).status_code == 200
    assert CaseEvent.objects.filter(case=case, type=EventType.REVISITED).count() == 1


def test_not_accepted_needs_a_follow_up(world, login):
    case = case_in_state(world, CaseStatus.RESOLVED)
    clerk = login(world.users["clerk"])
    response = clerk.post(url(case, "revisit"), revisit("no"))
    assert response.status_code == 200 and not CaseEvent.objects.filter(case=case, type=EventType.REVISITED).exists()
    assert "reopen" in response.content.decode()


def test_not_accepted_reopens(world, login):
    case = case_in_state(world, CaseStatus.RESOLVED)
    clerk = login(world.users["clerk"])
    assert clerk.post(url(case, "revisit"), revisit("no", follow_up="reopen")).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED and case.reopen_count == 1 and case.revisit_accepted is False
    reopened = CaseEvent.objects.get(case=case, type=EventType.REOPENED)
    assert "不认可" in reopened.note
    assert 'data-testid="follow-up"' in clerk.get(url(case)).content.decode()


def test_not_accepted_escalates(world, login):
    case = case_in_state(world, CaseStatus.RESOLVED)
    level = case.current_level
    clerk = login(world.users["clerk"])
    assert clerk.post(url(case, "revisit"), revisit("no", follow_up="escalate")).status_code == 302
    case.refresh_from_db()
    assert case.reopen_count == 1 and case.current_level != level
    assert CaseEvent.objects.filter(case=case, type=EventType.ESCALATED).exists()


def test_rating_and_answer_photos_are_shown_as_the_answer(world, login):
    case = case_in_state(world, CaseStatus.IN_PROGRESS)
    photo = SimpleUploadedFile("after.png", png_bytes(), content_type="image/png")
    case = actions.resolve_case(case=case, actor=world.users["chengguan"], result="已清理", attachments=[photo])
    actions.rate_case_as_resident(case=case, satisfaction="basically", comment="还行，希望常来看看")
    page = login(world.users["clerk"]).get(url(case)).content.decode()
    assert 'data-testid="rating"' in page and "还行，希望常来看看" in page
    answer = page[page.index('data-testid="answer"'):]
    assert 'data-testid="answer-photos"' in answer
    reported = page[:page.index('data-testid="answer"')]
    assert "after.png" not in reported


def test_api_revisit_still_records_without_a_follow_up(world):
    case = case_in_state(world, CaseStatus.RESOLVED)
    case = actions.revisit_case(case=case, actor=world.users["clerk"], lawful=True, in_place=True, accepted=False)
    assert case.status == CaseStatus.RESOLVED and case.revisit_accepted is False


def test_filed_case_photos_stay_in_the_report(world, login):
    photo = SimpleUploadedFile("before.png", png_bytes(), content_type="image/png")
    case = file_case(world, attachments=[photo])
    page = login(world.users["clerk"]).get(url(case)).content.decode()
    assert "before.png" in page and 'data-testid="answer"' not in page
