"""议定时限: a deadline agreed at a consultation becomes the case's resolve deadline, on the record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wangge.cases import actions
from wangge.cases.choices import EventType, Light
from wangge.cases.errors import ActionForbidden, InvalidInput
from wangge.notifications.models import Notification
from wangge.testing import case_in_state

from .core_helpers import last_event, written_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatched(world):
    case = case_in_state(world, "dispatched")
    return case


def test_the_agreed_deadline_becomes_the_cases_and_the_handlers_hear_it(world, dispatched):
    clerk = world.users["clerk"]
    due = timezone.now() + dt.timedelta(days=20)
    case = actions.agree_deadline(case=dispatched, actor=clerk, due_at=due, reason="双月协商会议定：一个月内完成")
    case.refresh_from_db()
    assert case.resolve_due_at == due and case.light == Light.GREEN
    event = last_event(case)
    assert event.type == EventType.DEADLINE_AGREED and event.note.startswith("双月协商会")
    assert event.actor == clerk and len(event.data["resolve_due_at"]) == 2
    assert event.data["resolve_due_at"][0] != event.data["resolve_due_at"][1]
    # The lead department's officer is told the new deadline.
    told = Notification.objects.about(case).filter(recipient=world.users["chengguan"]).order_by("-pk").first()
    assert told is not None and "双月协商会" in told.message


@pytest.mark.parametrize("due, code", [
    (lambda now: now - dt.timedelta(hours=1), "past"),
    (lambda now: now + dt.timedelta(days=400), "too_far"),
    (lambda now: (now + dt.timedelta(days=3)).replace(tzinfo=None), "invalid"),
])
def test_a_deadline_in_the_past_too_far_or_without_a_zone_is_refused_and_nothing_changes(world, dispatched, due, code):
    before = written_state(dispatched)
    with pytest.raises(InvalidInput) as info:
        actions.agree_deadline(case=dispatched, actor=world.users["clerk"], due_at=due(timezone.now()), reason="议定")
    assert info.value.fields == {"due_at": code}
    assert written_state(dispatched) == before


def test_only_a_dispatcher_may_set_it_and_a_reason_is_needed(world, dispatched):
    before = written_state(dispatched)
    due = timezone.now() + dt.timedelta(days=5)
    with pytest.raises(ActionForbidden):
        actions.agree_deadline(case=dispatched, actor=world.users["chengguan"], due_at=due, reason="议定")
    with pytest.raises(InvalidInput):
        actions.agree_deadline(case=dispatched, actor=world.users["clerk"], due_at=due, reason="  ")
    assert written_state(dispatched) == before
