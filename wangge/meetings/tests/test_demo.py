"""The demo: past meetings with signed minutes and a planned one, made through the actions."""

from __future__ import annotations

import pytest

from wangge.demo.loader import load_demo
from wangge.meetings.choices import MeetingStatus
from wangge.meetings.demo import TOPIC_CATEGORIES
from wangge.meetings.models import AgendaItem, Meeting, MeetingEvent, Minutes
from wangge.org import geo

pytestmark = pytest.mark.django_db


def test_demo_has_past_meetings_with_minutes_and_an_upcoming_one():
    geo.invalidate()
    report = load_demo(cases=0)  # the territory and staff; the meetings take topics then
    geo.invalidate()
    assert report.outcomes["meetings: demo rows"] > 0
    assert Meeting.objects.filter(status=MeetingStatus.MINUTES_PUBLISHED).count() >= 4
    assert Meeting.objects.filter(status=MeetingStatus.PLANNED, schedule__isnull=False).exists()
    assert Minutes.objects.filter(status="final").count() == Meeting.objects.filter(
        status=MeetingStatus.MINUTES_PUBLISHED).count()
    assert MeetingEvent.objects.filter(type="item_decided").exists()
    # A topic's plan is filed under its subject's category (a charging-point plan under 电动车违规充电),
    # not under the first category of the department that leads it.
    plans = AgendaItem.objects.filter(topic__isnull=False, case__isnull=False).select_related("topic", "case__category")
    assert plans.exists()
    assert {(item.topic.title, item.case.category.code) for item in plans} <= set(TOPIC_CATEGORIES.items())

