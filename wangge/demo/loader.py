"""``load_demo``: the demo sub-district and its last 90 days of cases (演示数据装载)."""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
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


def load_app_demos(*, world: DemoWorld, seed: int, now: dt.datetime) -> dict[str, int]:
    """Each installed app may ship ``<app>/demo.py`` with ``load_demo_data(*, world, rng, now) ->
    int`` (rows made) to fill its own pages — patrols walked, meetings held — through its own
    actions, on the world the case desk was built on. Called in app order, after the cases."""
    made = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("wangge.") or config.name == "wangge.demo":
            continue
        try:
            module = import_module(f"{config.name}.demo")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.demo":
                raise
            continue
        loader = getattr(module, "load_demo_data", None)
        if loader is not None:
            made[config.label] = loader(world=world, rng=random.Random(f"{seed}:{config.label}"), now=now) or 0
    return made


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
    for app_label, count in load_app_demos(world=world, seed=seed, now=end).items():
        sim.outcomes[f"{app_label}: demo rows"] += count
    sweep = run_sweep()
    sim.outcomes["sweep: lights changed"] += sweep.lights
    sim.outcomes["sweep: escalated"] += sweep.escalated
    return LoadReport(
        world=world, cases=Case.objects.count(), steps=sim.steps, seconds=time.monotonic() - started,
        statuses=Counter(Case.objects.values_list("status", flat=True)),
        outcomes=sim.outcomes, failures=sim.failures,
    )
