"""The demo loader fills every page: chiefs with gaps, ~40 resources, needs of the three
sources, services, ratings and a published quarter — fast, through the actions."""

from __future__ import annotations

import random
import time

import pytest
from django.utils import timezone

from wangge.neighbourhood import selectors
from wangge.neighbourhood.demo import load_demo_data
from wangge.neighbourhood.models import (
    Chief,
    Need,
    Rating,
    RatingPeriod,
    Resource,
    ServiceRecord,
)


@pytest.mark.django_db
def test_the_demo_fills_every_part():
    from wangge.demo.builders import build_world

    world = build_world()
    started = time.monotonic()
    made = load_demo_data(world=world, rng=random.Random(7), now=timezone.now())
    assert time.monotonic() - started < 30
    assert made > 200
    assert Resource.objects.count() >= 40
    assert set(Need.objects.values_list("source", flat=True)) == {"door", "online", "consultation"}
    assert ServiceRecord.objects.exists() and Rating.objects.exists()
    assert Chief.objects.filter(resident__isnull=False).exists()
    period = RatingPeriod.objects.get()
    assert period.is_published and period.scores.filter(target="chief").exists()
    gaps = [selectors.coverage(c) for c in world.communities]
    assert any(g.units_without for g in gaps)
