"""``load_demo``: the demo sub-district and its last 90 days of cases (演示数据装载)."""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from wangge.cases.models import Case
from wangge.cases.tasks import run_sweep
from wangge.org.models import Region

from .builders import DemoWorld, build_world
from .clock import time_travel
from .simulate import Simulation, make_plans, settle_notifications


@dataclass
class LoadReport:
    world: DemoWorld
    cases: int
    steps: int
    seconds: float
    statuses: Counter
    outcomes: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)


def has_data() -> bool:
    return Region.objects.exists() or Case.objects.exists()


def load_demo(*, cases: int = 2000, seed: int = 7, days: int = 90,
              progress: Callable[[dt.datetime, int], None] | None = None) -> LoadReport:
    """Build the sub-district, then replay ``cases`` cases over the last ``days`` days through
    the real actions, and finally run the deadline sweep once so that the lights are current."""
    started = time.monotonic()
    end = timezone.now()
    start = end - dt.timedelta(days=days)
    with transaction.atomic():
        world = build_world()
    sweep_log = logging.getLogger("wangge.sweep")
    level = sweep_log.level
    sweep_log.setLevel(logging.WARNING)  # thousands of simulated sweeps: their log is noise
    try:
        with time_travel(start) as clock:
            sim = Simulation(world=world, clock=clock, rng=random.Random(seed), end=end, progress=progress)
            sim.run(make_plans(sim, count=cases, start=start))
    finally:
        sweep_log.setLevel(level)
    settle_notifications(before=end - dt.timedelta(days=2))
    sweep = run_sweep()
    sim.outcomes["sweep: lights changed"] += sweep.lights
    sim.outcomes["sweep: escalated"] += sweep.escalated
    return LoadReport(
        world=world, cases=Case.objects.count(), steps=sim.steps, seconds=time.monotonic() - started,
        statuses=Counter(Case.objects.values_list("status", flat=True)),
        outcomes=sim.outcomes, failures=sim.failures,
    )
