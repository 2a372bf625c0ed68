"""The demo's meetings keep their dates: a meeting discusses only cases filed before it, its agenda
is published before it is held and its minutes after; a topic's plan is led by a department that
does such work (老楼加装电梯 → 住建, not the police station)."""

from __future__ import annotations

import pytest

from wangge.demo.loader import load_demo
from wangge.meetings.choices import Decision
from wangge.meetings.models import AgendaItem, Meeting, Minutes
from wangge.org import geo

pytestmark = pytest.mark.django_db


def test_demo_meetings_discuss_only_cases_filed_before_them():
    geo.invalidate()
    load_demo(cases=80, days=20, months=0)
    geo.invalidate()
    items = list(AgendaItem.objects.select_related("meeting", "case", "topic", "lead_department"))
    # (A topic's plan files its case at the meeting: that case is the meeting's outcome.)
    with_cases = [i for i in items if i.case_id and i.topic_id is None and i.carried_from_id is None]
    assert with_cases  # not vacuous: the fortnight-old meetings discuss ledger cases
    for item in with_cases:
        assert item.case.submitted_at < item.meeting.scheduled_at, (item.meeting.title, item.case.number)
    for meeting in Meeting.objects.exclude(agenda_published_at=None):
        assert meeting.agenda_published_at <= meeting.scheduled_at, meeting.title
    for minutes in Minutes.objects.filter(status="final").select_related("meeting"):
        assert minutes.finalised_at >= minutes.meeting.scheduled_at
    topic_plans = [i for i in items if i.topic_id and i.decision == Decision.PLAN]
    for item in topic_plans:
        assert item.lead_department.name == "区住建委", (item.topic.title, item.lead_department.name)
    # Every bimonthly meeting has the departments its problems involve at the table.
    for meeting in Meeting.objects.filter(kind="bimonthly"):
        assert meeting.participants.filter(department__isnull=False).exists(), meeting.title
