"""结案 only on the closing rule (``cases.closing_rules``): after the revisit (三看) with the rating or
its refusal on record, or — without a revisit — for a reason that holds: nobody to call back, or
not reached after repeated callbacks. A refused close writes nothing."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import translation

from wangge.cases import actions, selectors
from wangge.cases.choices import CaseStatus, EventType, Satisfaction
from wangge.cases.errors import InvalidInput, InvalidTransition
from wangge.testing import case_in_state

from .core_helpers import clock, last_event, written_state  # noqa: F401 (fixture)


@pytest.fixture
def resolved(world):
    return case_in_state(world, CaseStatus.RESOLVED)


def test_a_case_is_not_closed_before_the_revisit(world, resolved):
    clerk = world.users["clerk"]
    before = written_state(resolved)
    with translation.override("zh-hans"), pytest.raises(InvalidTransition) as info:
        actions.close_case(case=resolved, actor=clerk, note="结案")
    assert "回访" in str(info.value.message) and "先" in str(info.value.message)
    assert "。 " not in str(info.value.message)  # two Chinese sentences, no English space between
    assert written_state(resolved) == before
    # A rating alone (the resident's link, say) is not the callback.
    actions.rate_case(case=resolved, actor=clerk, satisfaction=Satisfaction.SATISFIED)
    with pytest.raises(InvalidTransition):
        actions.close_case(case=resolved, actor=clerk)
    assert "close" not in selectors.available_actions(clerk, resolved)
    [(action, why)] = selectors.blocked_actions(clerk, resolved)
    assert action == "close" and why


def test_after_the_revisit_a_missing_rating_is_recorded_as_declined(world, resolved):
    clerk = world.users["clerk"]
    case = actions.revisit_case(case=resolved, actor=clerk, lawful=True, in_place=True, accepted=True)
    assert "close" in selectors.available_actions(clerk, case)
    before = written_state(case)
    with pytest.raises(InvalidInput) as info:
        actions.close_case(case=case, actor=clerk)
    assert info.value.fields == {"rating_declined": "required"}
    assert written_state(case) == before
    case = actions.close_case(case=case, actor=clerk, rating_declined=True, note="居民不愿评价")
    assert case.status == CaseStatus.CLOSED
    event = last_event(case)
    assert (event.type, event.data, event.note) == (EventType.CLOSED, {"revisit": "done", "rating": "declined"},
                                                    "居民不愿评价")


def test_a_report_with_no_phone_is_closed_saying_nobody_could_be_called(world):
    clerk = world.users["clerk"]
    case = case_in_state(world, CaseStatus.RESOLVED, reporter_name="", reporter_phone="", reporter_anonymous=True)
    assert case.reporter_id is None
    # There is no number to try: no callback attempt is offered.
    with pytest.raises(InvalidTransition):
        actions.record_revisit_attempt(case=case, actor=clerk)
    before = written_state(case)
    with pytest.raises(InvalidInput) as info:
        actions.close_case(case=case, actor=clerk)  # the reason is asked, not assumed
    assert info.value.fields == {"without_revisit": "required"}
    with pytest.raises(InvalidInput):
        actions.close_case(case=case, actor=clerk, without_revisit="unreachable")  # not what happened
    assert written_state(case) == before
    with translation.override("zh-hans"):
        case = actions.close_case(case=case, actor=clerk, without_revisit="no_contact")
    event = last_event(case)
    assert event.data == {"revisit": "no_contact", "rating": "no_contact"}
    assert event.note.startswith("未回访结案")


@override_settings(WANGGE_REVISIT_ATTEMPTS=3, WANGGE_REVISIT_ATTEMPT_GAP_MINUTES=60)
def test_a_resident_not_reached_after_three_callbacks_may_be_closed_as_unreachable(world, resolved, clock):
    clerk = world.users["clerk"]
    for n in (1, 2):
        clock.advance(hours=2)  # morning, noon, afternoon: calls at different times (不同时段)
        actions.record_revisit_attempt(case=resolved, actor=clerk, note=f"无人接听 {n}")
        event = last_event(resolved)
        assert (event.type, event.data, event.public) == (EventType.REVISIT_FAILED, {"attempt": n, "needed": 3}, False)
        with pytest.raises(InvalidTransition) as info:
            actions.close_case(case=resolved, actor=clerk, without_revisit="unreachable")
        assert str(n) in str(info.value.message)
    clock.advance(hours=2)
    actions.record_revisit_attempt(case=resolved, actor=clerk, note="关机")
    case = actions.close_case(case=resolved, actor=clerk, without_revisit="unreachable", note="三次未接通")
    event = last_event(case)
    assert case.status == CaseStatus.CLOSED
    assert event.data == {"revisit": "unreachable", "rating": "unreachable", "attempts": 3}
    assert event.note.endswith("三次未接通")


@override_settings(WANGGE_REVISIT_ATTEMPTS=2, WANGGE_REVISIT_ATTEMPT_GAP_MINUTES=60)
def test_callbacks_of_an_earlier_answer_do_not_count_for_the_new_one(world, resolved, clock):
    clerk, officer = world.users["clerk"], world.users["chengguan"]
    clock.advance(minutes=10)  # the clock starts on the second the case was resolved in
    actions.record_revisit_attempt(case=resolved, actor=clerk)
    clock.advance(hours=3)
    actions.record_revisit_attempt(case=resolved, actor=clerk)
    assert selectors.blocked_actions(clerk, resolved) == []  # enough for this answer…
    clock.advance(minutes=5)
    case = actions.reopen_case(case=resolved, actor=clerk, reason="居民来电：摊贩又回来了")
    case = actions.claim_case(case=case, actor=officer)
    case = actions.resolve_case(case=case, actor=officer, result="再次清理")
    with pytest.raises(InvalidTransition):
        actions.close_case(case=case, actor=clerk, without_revisit="unreachable")
    actions.revisit_case(case=case, actor=clerk, lawful=True, in_place=True, accepted=True)
    actions.rate_case(case=case, actor=clerk, satisfaction=Satisfaction.BASICALLY)
    assert actions.close_case(case=case, actor=clerk).status == CaseStatus.CLOSED


def test_the_api_detail_says_why_close_is_not_offered_yet(world, resolved):
    """An API client (a 12345 link, an app) sees the close that is not offered yet and why, in
    the request's language, as the workbench shows it greyed out with its reason."""
    from .test_api import as_user, detail_url

    clerk = world.users["clerk"]
    body = as_user(clerk, lang="zh-hans").get(detail_url(resolved)).json()
    assert "close" not in body["available_actions"]
    [blocked] = [row for row in body["blocked_actions"] if row["action"] == "close"]
    assert "回访" in blocked["reason"]
    english = as_user(clerk, lang="en").get(detail_url(resolved)).json()
    [blocked] = [row for row in english["blocked_actions"] if row["action"] == "close"]
    assert "revisit" in blocked["reason"].lower()
    actions.revisit_case(case=resolved, actor=clerk, lawful=True, in_place=True, accepted=True)
    body = as_user(clerk, lang="zh-hans").get(detail_url(resolved)).json()
    assert "close" in body["available_actions"]
    assert "close" not in {row["action"] for row in body["blocked_actions"]}


@override_settings(WANGGE_REVISIT_ATTEMPTS=3, WANGGE_REVISIT_ATTEMPT_GAP_MINUTES=60)
def test_callbacks_in_quick_succession_count_as_one_try(world, resolved, clock):
    """Three taps on 回访未接通 within a minute are not three callbacks at different times: they are
    recorded (what happened stays on record) but the case is no nearer a close as not reachable."""
    clerk = world.users["clerk"]
    clock.advance(minutes=10)  # the clock starts on the second the case was resolved in
    for _ in range(3):
        actions.record_revisit_attempt(case=resolved, actor=clerk, note="无人接听")
        clock.advance(seconds=20)
    attempts = list(resolved.events.filter(type=EventType.REVISIT_FAILED).order_by("pk").values_list("data", flat=True))
    assert attempts == [{"attempt": 1, "needed": 3}, {"attempt": 1, "needed": 3, "too_soon": True},
                        {"attempt": 1, "needed": 3, "too_soon": True}]
    with translation.override("zh-hans"), pytest.raises(InvalidTransition) as info:
        actions.close_case(case=resolved, actor=clerk, without_revisit="unreachable")
    assert "不同时段" in str(info.value.message) and "60" in str(info.value.message)
    clock.advance(minutes=59)  # an hour after the first: the next one counts
    actions.record_revisit_attempt(case=resolved, actor=clerk, note="关机")
    assert last_event(resolved).data == {"attempt": 2, "needed": 3}
    clock.advance(hours=1)
    actions.record_revisit_attempt(case=resolved, actor=clerk, note="仍无人接听")
    case = actions.close_case(case=resolved, actor=clerk, without_revisit="unreachable")
    assert case.status == CaseStatus.CLOSED and last_event(case).data["attempts"] == 3
