"""``load_demo``: the demo sub-district and a year of its cases (演示数据装载).

1. the territory, departments, staff and categories (``builders``);
2. the last ``days`` days replayed through the real actions on a travelling clock, with the
   escalation sweep in between (``simulate``): the open cases, their lights and escalations
   and every queue a visitor sees are genuine;
3. the months before, back to the same month a year earlier, as finished cases copied from the
   replayed ones (``history``): the monthly trend and the year-on-year figures;
4. each app's own demo data (``<app>/demo.py``), then the desk takes up the cases those filed;
5. the sweep once more at the present, and the dashboard's rollups rebuilt.
"""

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

from wangge.cases.choices import OPEN_STATUSES, CaseStatus
from wangge.cases.models import Case
from wangge.cases.sla import LOCAL_TZ
from wangge.cases.tasks import run_sweep
from wangge.org.models import Region
from wangge.workdays.calendar import load_calendar

from .builders import DemoWorld, build_world
from .clock import time_travel
from .history import build_history, plan_days
from .simulate import (
    Simulation,
    adopt_plans,
    day_weight,
    local_days,
    make_plans,
    settle_notifications,
)

#: (stage, moment or month, count) — what ``progress`` is told: "replay" with the simulated time
#: and the cases filed so far, "history" with the first of a month and the cases copied into it.
#: How far back the apps' demos date what they make (the meetings': a bimonthly meeting two
#: months ago, its agenda drawn up days before; the patrols': two weeks of check-ins).
APPS_LOOK_BACK = dt.timedelta(days=90)

Progress = Callable[[str, dt.datetime | dt.date, int], None]


@dataclass
class LoadReport:
    world: DemoWorld
    cases: int
    steps: int
    seconds: float
    statuses: Counter
    outcomes: Counter = field(default_factory=Counter)
    # Stories that could not go on (a step the actions refused). Expected to stay empty: the
    # tests hold it to that, and the command reports any as a fault of the demo's scripts.
    failures: Counter = field(default_factory=Counter)
    replayed: int = 0
    history: int = 0
    first_day: dt.date | None = None  # of the history
    replay_start: dt.datetime | None = None  # local midnight: the cases before it are history
    lights: Counter = field(default_factory=Counter)
    on_time: float | None = None
    timings: dict[str, float] = field(default_factory=dict)


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


def _local_midnight(at: dt.datetime) -> dt.datetime:
    day = at.astimezone(LOCAL_TZ).date()
    return dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL_TZ).astimezone(dt.UTC)


def history_start(end: dt.datetime, months: int) -> dt.date:
    """The first day of the month ``months`` months before ``end``'s (12: the same month a year
    ago, so that this month has a year-on-year comparison and the trend twelve full months)."""
    local = end.astimezone(LOCAL_TZ).date()
    index = local.year * 12 + local.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def load_demo(*, cases: int = 800, seed: int = 7, days: int = 60, months: int = 12, apps: bool = True,
              end: dt.datetime | None = None, progress: Progress | None = None) -> LoadReport:
    """Build the sub-district; replay ``cases`` cases over the last ``days`` days (from local
    midnight) through the real actions; fill the ``months`` months before with finished cases at
    the same rate (none when ``cases`` is 0); run the apps' demos (unless ``apps`` is false: the
    case desk alone, for tests) and the sweep; rebuild the dashboard's rollups.

    ``report.seconds`` is the load's wall time — what ``make bench`` can print for the demo."""
    started = time.monotonic()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.monotonic()
        timings[name] = round(now - since, 1)
        return now

    end = end or timezone.now()
    start = _local_midnight(end - dt.timedelta(days=days))
    first = history_start(end, months) if months else start.astimezone(LOCAL_TZ).date()
    rng = random.Random(seed)
    calendar = load_calendar()
    # The office is set up the day before its first case (or before what the apps' demos date
    # back, whichever is earlier): no grid, account or category is dated after the cases,
    # patrols and meetings it holds.
    founded = min(dt.datetime.combine(first - dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TZ).astimezone(dt.UTC),
                  end - APPS_LOOK_BACK)
    with transaction.atomic(), time_travel(founded):
        world = build_world()
    t = lap("territory and staff", started)

    sweep_log = logging.getLogger("wangge.sweep")
    level = sweep_log.level
    sweep_log.setLevel(logging.WARNING)  # thousands of simulated sweeps: their log is noise
    try:
        with time_travel(start) as clock:
            sim = Simulation(world=world, clock=clock, rng=rng, end=end,
                             progress=(lambda at, n: progress("replay", at, n)) if progress else None)
            sim.run(make_plans(sim, count=cases, start=start, calendar=calendar))
        replayed = Case.objects.count()
        t = lap("replay", t)

        # The rest happens at the demo's present, ``end``, not at the wall clock minutes later
        # (or, given an ``end``, at whatever day the load runs): the apps' rows, the desk's
        # last steps and the sweep are dated no later than the cases' present.
        with time_travel(end):
            # The months before: as many cases per unit of day weight as the replay had.
            replay_weight = sum(day_weight(day, calendar) for day in local_days(start, end))
            counts = plan_days(rng=random.Random(f"{seed}:history"), first=first,
                               until=start.astimezone(LOCAL_TZ).date(),
                               per_weight=cases / replay_weight if replay_weight else 0, calendar=calendar)
            history = build_history(world=world, rng=random.Random(f"{seed}:models"), counts=counts,
                                    model_ids=list(Case.objects.values_list("pk", flat=True)),
                                    progress=(lambda month, n: progress("history", month, n)) if progress else None)
            t = lap("history", t)

            for app_label, count in (load_app_demos(world=world, seed=seed, now=end) if apps else {}).items():
                sim.outcomes[f"{app_label}: demo rows"] += count
            t = lap("apps' demo data", t)

            # What the apps filed and left for the desk (a patrol's findings) is taken up like any other.
            waiting = list(Case.objects.filter(status=CaseStatus.SUBMITTED,
                                               submitted_at__lt=end - dt.timedelta(hours=1))
                           .order_by("submitted_at", "pk"))
            if waiting:
                with time_travel(waiting[0].submitted_at) as clock:
                    sim.clock, sim.progress = clock, None
                    sim.run(adopt_plans(sim, waiting), sweep=False)
            t = lap("apps' cases at the desk", t)
            settle_notifications(before=end - dt.timedelta(days=2))
            sweep = run_sweep()  # at the present: the lights as the worker will keep them
            sim.outcomes["sweep: lights changed"] += sweep.lights
            sim.outcomes["sweep: escalated"] += sweep.escalated

            from wangge.dashboard.rollup import (
                refresh_stats,  # the dashboard's figures, from every case
            )

            refresh_stats(full=True)
    finally:
        sweep_log.setLevel(level)
    lap("sweep and dashboard", t)

    solved = Case.objects.filter(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED])
    n_solved = solved.count()
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES)
    return LoadReport(
        world=world, cases=Case.objects.count(), steps=sim.steps, seconds=time.monotonic() - started,
        statuses=Counter(Case.objects.values_list("status", flat=True)),
        outcomes=sim.outcomes, failures=sim.failures, replayed=replayed, history=history, first_day=first,
        replay_start=start,
        lights=Counter(open_cases.values_list("light", flat=True)),
        on_time=solved.filter(resolved_on_time=True).count() / n_solved if n_solved else None,
        timings=timings,
    )
