"""The demo data of key persons and the diary loads through the actions, on the demo world."""

from __future__ import annotations

import random

from django.utils import timezone

from wangge.cases.sla import LOCAL_TZ as SHANGHAI
from wangge.demo.builders import build_world
from wangge.diary import demo as diary_demo
from wangge.diary.models import DiaryDay
from wangge.keypersons import demo, selectors
from wangge.keypersons.models import KeyPerson, Visit


def test_the_demo_loads(db, tags):
    world = build_world()
    now = timezone.now()
    assert diary_demo.load_demo_data(world=world, rng=random.Random(1), now=now) > 0
    assert demo.load_demo_data(world=world, rng=random.Random(1), now=now) > 0
    assert KeyPerson.objects.count() > 0 and Visit.objects.count() > 0
    assert DiaryDay.objects.filter(status="signed").exists()
    chief = world.grids[0].chief
    today = timezone.localdate()
    _rows, total = selectors.coverage(chief, year=today.year, month=today.month)
    assert total.expected >= 6


def test_the_demo_happens_in_working_hours_and_says_what_was_reported(db, tags):
    from wangge.keypersons.models import Attendance, QuickReport

    world = build_world()
    now = timezone.now()
    demo.load_demo_data(world=world, rng=random.Random(2), now=now)
    times = [*Visit.objects.values_list("visited_at", flat=True), *Attendance.objects.values_list("at", flat=True),
             *QuickReport.objects.values_list("at", flat=True)]
    assert times and max(times) <= now
    hours = sorted({timezone.localtime(t, SHANGHAI).hour for t in times})
    assert hours[0] >= 8 and hours[-1] <= 17, hours
    reports = list(QuickReport.objects.all())
    assert reports and all(r.note or r.place for r in reports)
    assert "网格员一键上报" not in {r.note for r in reports}
