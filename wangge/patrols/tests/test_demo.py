"""The patrol demo: check-ins on the local working clock, never ahead of the load."""

from __future__ import annotations

import random

from django.utils import timezone

from wangge.demo.builders import build_world
from wangge.patrols import demo
from wangge.patrols.models import CheckIn
from wangge.patrols.windows import SHANGHAI


def test_the_demo_check_ins_fall_in_beijing_working_hours(db):
    world = build_world()
    now = timezone.now()
    assert demo.load_demo_data(world=world, rng=random.Random(3), now=now) > 0
    times = list(CheckIn.objects.values_list("client_time", flat=True))
    assert times and max(times) <= now
    hours = sorted({timezone.localtime(t, SHANGHAI).hour for t in times})
    assert hours[0] >= 8 and hours[-1] <= 16, hours
