"""The demo comes out the same whatever hour or weekday it is loaded at, and nothing in it is
dated after its present or before the grid it happened in."""

from __future__ import annotations

import datetime as dt

import pytest

from wangge.cases.choices import CaseLevel, CaseStatus, Light
from wangge.cases.models import Case
from wangge.cases.sla import LOCAL_TZ
from wangge.demo.loader import load_demo
from wangge.org import geo
from wangge.org.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_geo():
    geo.invalidate()
    yield
    geo.invalidate()


def _reopened(report, end: dt.datetime) -> list[tuple]:
    """The showcase's 重办 cases (sent back by an unsatisfied resident, still open) as a visitor
    finds them (the one answered again and closed with its 不满意 on record is another story)."""
    cases = Case.objects.filter(reopen_count__gt=0, submitted_at__gte=report.replay_start).exclude(
        status=CaseStatus.CLOSED).select_related(
        "category", "lead_department").order_by("category__code")
    return [(c.category.code, c.status, c.light, c.current_level, c.lead_department.code if c.lead_department else None,
             c.reopen_count, c.escalation_count, c.resolve_due_at > end) for c in cases]


# A weekday late evening (the old story was escalated past its department at 22:50 and not at
# 22:30), a Saturday before the office opens, a Monday morning, a Wednesday afternoon.
ENDS = [(2026, 11, 20, 22, 50), (2026, 11, 21, 7, 30), (2026, 11, 23, 8, 10), (2026, 11, 25, 14, 0)]


@pytest.mark.parametrize("end", ENDS, ids=lambda e: f"{e[2]:02d}-{e[3]:02d}{e[4]:02d}")
def test_the_reopened_story_comes_out_the_same_at_any_hour(end):
    end = dt.datetime(*end, tzinfo=LOCAL_TZ)
    # The 21 showcase stories alone, replayed over the 14 days before ``end``.
    report = load_demo(cases=21, days=14, months=0, apps=False, end=end)
    assert report.failures == {}
    assert report.replay_start == dt.datetime.combine((end - dt.timedelta(days=14)).date(), dt.time(0),
                                                      tzinfo=LOCAL_TZ)
    # On its department's desk again, claimed, its new deadline ahead: neither overdue and
    # escalated past the department by the sweep, nor still waiting for the resident's rating.
    assert _reopened(report, end) == [
        ("gongnuan-bure", CaseStatus.IN_PROGRESS, Light.GREEN, CaseLevel.DISTRICT, "reli", 1, 0, True),
        ("shichang-shipin", CaseStatus.IN_PROGRESS, Light.GREEN, CaseLevel.DISTRICT, "shichang", 1, 0, True),
    ]


def test_nothing_is_dated_after_the_present_or_before_its_grid():
    from wangge.meetings.models import Meeting
    from wangge.patrols.models import CheckIn, PatrolPoint

    end = dt.datetime(2026, 11, 20, 22, 50, tzinfo=LOCAL_TZ)
    load_demo(cases=21, days=14, months=1, end=end)
    founded = max(Region.objects.values_list("created_at", flat=True))
    first_case = min(Case.objects.values_list("submitted_at", flat=True))
    assert founded <= first_case
    checkins = CheckIn.objects.all()
    assert checkins.exists()
    assert max(c.received_at for c in checkins) <= end
    assert min(c.client_time for c in checkins) >= founded
    assert max(PatrolPoint.objects.values_list("created_at", flat=True)) <= end
    assert max(Case.objects.values_list("submitted_at", flat=True)) <= end
    meetings = Meeting.objects.all()
    assert max(m.created_at for m in meetings) <= end
    assert min(m.created_at for m in meetings) >= founded
