"""Ninety days of a sub-district's case desk, replayed through the real actions (案件模拟).

Each case has a *story*: a generator that takes one step (an action of ``wangge.cases.actions``)
and yields the moment of its next step. The simulation runs every story's steps in time order on
a travelling clock, with the real escalation sweep every 30 simulated minutes in between, so each
timeline is genuine: lights turn amber and red, overdue cases escalate by themselves, unsatisfied
ratings reopen cases. Nothing here sets a case's state directly.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
import zlib
from collections import Counter
from collections.abc import Callable, Generator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F

from wangge.cases import actions, closing_rules, permissions
from wangge.cases.choices import (
    OPEN_STATUSES,
    CaseLevel,
    CaseStatus,
    Channel,
    DurationUnit,
    ExtensionStatus,
    Satisfaction,
)
from wangge.cases.errors import CaseError
from wangge.cases.models import Case, Category, ExtensionRequest
from wangge.cases.sla import LOCAL_TZ
from wangge.cases.tasks import run_sweep
from wangge.core.actors import Actor
from wangge.intake.duplicates.suggestions import suggest_categories
from wangge.notifications.models import Notification
from wangge.org.models import User

from . import data
from .builders import DemoWorld, GridInfo
from .clock import TravelClock

S = CaseStatus
MIN, HOUR, DAY = dt.timedelta(minutes=1), dt.timedelta(hours=1), dt.timedelta(days=1)
SWEEP_EVERY = 30 * MIN
PROGRESS_EVERY = 10 * DAY
# The showcase stories that need the resident on the phone (their 不满意 is the story): never
# drawn anonymous or unreachable, whatever today's date makes of their draws and their number.
ANSWERS_THE_CALLBACK = frozenset({"no_second_rating", "stay_reopened"})
REOPEN_BEFORE_END = 2 * HOUR  # the showcase's 重办: sent back this long before the present, or earlier
RECLAIM_AFTER = 20 * MIN  # and claimed again by its department this long after
_DUE_PROBE = f"SELECT 1 FROM {Case._meta.db_table} WHERE next_check_at IS NOT NULL AND next_check_at <= %s LIMIT 1"
RESIDENT_CHANNELS = (Channel.WECHAT, Channel.QR_PAGE, Channel.WEB)
CHANNEL_WEIGHTS = {
    Channel.HOTLINE: 34, Channel.HOTLINE_12345: 20, Channel.WECHAT: 14, Channel.QR_PAGE: 8, Channel.PATROL: 16,
    Channel.WEB: 3, Channel.PROPERTY: 2, Channel.PETITION: 1, Channel.DEPARTMENT: 2,
}
# Hour of day (local) → how many reports come in then.
HOUR_WEIGHTS = [1, 0.5, 0.3, 0.3, 0.4, 0.8, 2, 4, 7, 9, 9, 8, 6, 6, 8, 8, 8, 7, 6, 7, 7, 5, 3, 2]
RATINGS = {Satisfaction.SATISFIED: 0.78, Satisfaction.BASICALLY: 0.15, Satisfaction.UNSATISFIED: 0.07}
# Departments that join a lead department when a case is handled jointly (吹哨报到).
CO_HANDLERS = {
    "chengguan": ("gongan", "zhujian", "chengguanke"), "zhujian": ("chengguan", "anjian"),
    "xiaofang": ("anjian", "pingan"), "anjian": ("xiaofang", "zhujian"), "pingan": ("gongan", "minsheng"),
    "shichang": ("chengguan", "gongan"), "gongan": ("pingan", "chengguan"), "reli": ("zhujian",),
    "shuiwu": ("zhujian", "chengguan"), "huanwei": ("chengguanke",), "minsheng": ("pingan",),
}


class StoryEnd(Exception):
    """A story cannot go on (its next step would be refused); the case stays as it is."""


@dataclass
class Handler:
    """Who works a case: the dispatch target and the person acting for it."""

    target: actions.Target
    actor: User


@dataclass
class Plan:
    """One case's script (剧本): when it comes in, what about, how it will be handled and how far
    it has got today (its destiny), with the twists of its story."""

    at: dt.datetime
    destiny: str
    grid: GridInfo
    leaf: Category
    spec: data.CategorySpec
    root: str
    channel: str
    route: str  # dept | grid | community | joint | onsite
    twists: frozenset[str] = frozenset()
    rating: str = Satisfaction.SATISFIED
    handler: Handler | None = None
    duplicate_of: Case | None = None  # for a duplicate report: the case it will be merged into
    case: Case | None = None  # a case already filed (by an app's demo) whose story starts at acceptance


@dataclass
class Resident:
    """A (fictitious) resident who calls in; some call more than once."""

    name: str
    phone: str
    address: str
    point: tuple[float, float]


@dataclass
class Simulation:
    world: DemoWorld
    clock: TravelClock
    rng: random.Random
    end: dt.datetime
    residents: dict[int, list[Resident]] = field(default_factory=dict)
    outcomes: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    steps: int = 0
    # Called now and then with (simulated time, cases filed so far) — for a progress line.
    progress: Callable[[dt.datetime, int], None] | None = None

    # -----------------------------------------------------------------------------------------
    # Running
    # -----------------------------------------------------------------------------------------

    def run(self, plans: list[Plan], *, sweep: bool = True, commit_every: int = 400) -> None:
        """Every story's steps in time order. With ``sweep``, the real escalation sweep runs every
        30 simulated minutes in between (the replay); without, only the stories' own steps (a
        second pass over cases filed by the apps, whose sweeps have already run)."""
        seq = itertools.count()
        heap = [(p.at, next(seq), story(self, p, p.case)) for p in plans]
        heapq.heapify(heap)
        next_sweep = min(p.at for p in plans) if plans else self.end
        reported = None
        while heap:
            with transaction.atomic():
                for _ in range(commit_every):
                    if not heap:
                        break
                    at, _n, gen = heapq.heappop(heap)
                    if self.progress and (reported is None or at - reported >= PROGRESS_EVERY
                                          or _month(at) != _month(reported)):
                        reported = at
                        self.progress(at, self.outcomes["filed"])
                    while sweep and next_sweep <= at:
                        self._sweep(next_sweep)
                        next_sweep += SWEEP_EVERY
                    self.clock.set(at)
                    wake = self._step(gen)
                    if wake is not None and wake <= self.end:
                        heapq.heappush(heap, (max(wake, at), next(seq), gen))
        with transaction.atomic():
            while sweep and next_sweep <= self.end:
                self._sweep(next_sweep)
                next_sweep += SWEEP_EVERY

    def _sweep(self, at: dt.datetime) -> None:
        if not self._anything_due(at):
            return  # most simulated quarter-hours have nothing due: skip the sweep's transaction
        self.clock.set(at)
        result = run_sweep(now=at)
        self.outcomes["sweep: lights changed"] += result.lights
        self.outcomes["sweep: escalated"] += result.escalated

    @staticmethod
    def _anything_due(at: dt.datetime) -> bool:
        # A read-only probe on the sweep's own partial index, in plain SQL: it runs thousands
        # of times, and compiling an ORM query each time would cost more than the sweeps.
        with connection.cursor() as cursor:
            cursor.execute(_DUE_PROBE, [connection.ops.adapt_datetimefield_value(at)])
            return cursor.fetchone() is not None

    def _step(self, gen: Generator) -> dt.datetime | None:
        self.steps += 1
        try:
            return next(gen)
        except StopIteration:
            return None
        except StoryEnd as end:
            self.failures[str(end)] += 1
        except CaseError as exc:
            self.failures[f"{type(exc).__name__}: {exc.message} (line {_story_line(exc)})"] += 1
        return None

    # -----------------------------------------------------------------------------------------
    # Times: staff work office hours, except for emergencies and the 24-hour hotline
    # -----------------------------------------------------------------------------------------

    def later(self, lo_minutes: float, hi_minutes: float, *, office: bool = True,
              after: dt.datetime | None = None) -> dt.datetime:
        at = (after or self.clock.now) + dt.timedelta(minutes=self.rng.uniform(lo_minutes, hi_minutes))
        return self.office(at) if office else at

    def office(self, at: dt.datetime) -> dt.datetime:
        local = at.astimezone(LOCAL_TZ)
        if 8 <= local.hour < 20:
            return at
        day = local.date() + (dt.timedelta(days=1) if local.hour >= 20 else dt.timedelta())
        start = dt.datetime.combine(day, dt.time(8, 0), tzinfo=LOCAL_TZ)
        return (start + dt.timedelta(minutes=self.rng.uniform(0, 75))).astimezone(dt.timezone.utc)

    # -----------------------------------------------------------------------------------------
    # People
    # -----------------------------------------------------------------------------------------

    def clerk(self) -> User:
        """The day clerk, or the night-shift clerk of the 24-hour hotline."""
        hour = self.clock.now.astimezone(LOCAL_TZ).hour
        return self.world.user("clerk" if 8 <= hour < 20 else "clerk2")

    def dispatcher_for(self, case: Case) -> User:
        if case.current_level in (CaseLevel.DISTRICT, CaseLevel.CITY):
            return self.world.user("district_leader")
        if case.current_level == CaseLevel.COMMUNITY and case.community_id:
            return self.world.secretary(next(c for c in self.world.communities if c.pk == case.community_id))
        return self.clerk()

    def department_handler(self, code: str) -> Handler:
        return Handler(actions.Target(department=self.world.departments[code]),
                       self.rng.choice(self.world.officers[code]))

    def resident(self, grid: GridInfo) -> Resident:
        """A resident of the grid; a few call again and again (caller history)."""
        pool = self.residents.setdefault(grid.region.pk, [])
        if pool and self.rng.random() < 0.35:
            return pool[min(int(self.rng.expovariate(0.5)), len(pool) - 1)]
        surname = self.rng.choice(data.SURNAMES)
        name = surname + (self.rng.choice(("女士", "先生")) if self.rng.random() < 0.4 else
                          "".join(self.rng.choice(data.GIVEN) for _ in range(self.rng.choice((1, 2)))))
        phone = self.rng.choice(("13", "15", "18", "17", "19")) + f"{self.rng.randrange(10**9):09d}"
        if grid.buildings and self.rng.random() < 0.6:
            building, (lng, lat) = self.rng.choice(grid.buildings)
            address = f"{building.name}{self.rng.randint(1, data.UNITS_PER_BUILDING)}单元"
            point = (round(lng + self.rng.uniform(-1e-4, 1e-4), 6), round(lat + self.rng.uniform(-1e-4, 1e-4), 6))
        else:
            address = self.address(grid)
            point = grid.random_point(self.rng)
        resident = Resident(name, phone, address, point)
        pool.append(resident)
        return resident

    def address(self, grid: GridInfo) -> str:
        spec, r = grid.spec, self.rng.random()
        if r < 0.5:
            return f"{self.rng.choice(spec.compounds)}{self.rng.randint(1, 24)}号楼"
        if r < 0.85 or not spec.landmarks:
            return f"{self.rng.choice(spec.roads)}{self.rng.randint(1, 120)}号"
        return self.rng.choice(spec.landmarks)

    # -----------------------------------------------------------------------------------------
    # Steps shared by the stories
    # -----------------------------------------------------------------------------------------

    def fresh(self, case: Case) -> Case:
        return Case.objects.select_related("sla_policy").get(pk=case.pk)

    def file(self, p: Plan) -> Case:
        """受理登记 — the case as it comes in through its channel."""
        rng = self.rng
        description, duplicate_of = None, None
        if p.destiny == S.MERGED:
            duplicate_of = p.duplicate_of = self._duplicate_target(p)
            if duplicate_of is None:
                p.destiny = S.CLOSED
        if p.channel == Channel.PATROL:
            resident = None
            address = self.address(p.grid)
            point = p.grid.random_point(rng)
        else:
            resident = self.resident(p.grid)
            address, point = resident.address, resident.point
        if duplicate_of is not None:
            p.grid = next(g for g in self.world.grids if g.region.pk == duplicate_of.grid_id)
            if p.route == "onsite":  # the worker of the grid it happens in (if it is handled on its own)
                p.handler = Handler(actions.Target(user=p.grid.worker), p.grid.worker)
            elif p.route == "grid":
                p.handler = Handler(actions.Target(region=p.grid.region), p.grid.worker)
            elif p.route == "community":
                p.handler = Handler(actions.Target(region=p.grid.community), self.world.secretary(p.grid.community))
            p.leaf = duplicate_of.category
            p.spec, p.root = next((s, r) for c, s, r in self.world.leaves if c.pk == p.leaf.pk)
            address = duplicate_of.address
            point = (duplicate_of.longitude, duplicate_of.latitude)
            description = f"又有居民反映：{duplicate_of.description}"
        if description is None:
            template = rng.choice(p.spec.templates)
            description = template.format(addr=address, when=rng.choice(data.WHEN))
            if p.channel == Channel.PATROL:
                description = "网格员巡查发现：" + description.replace("我家", "居民家")
        # The showcase's 不满意 needs a resident to call back (drawn all the same: the stream stays).
        anonymous = resident is not None and rng.random() < 0.08 and not p.twists & ANSWERS_THE_CALLBACK
        category = p.leaf
        if p.channel in RESIDENT_CHANNELS and rng.random() < 0.4:
            category = None  # the resident did not pick one; the clerk classifies on acceptance
        elif "wrong_category" in p.twists:
            category = rng.choice([c for c, _s, r in self.world.leaves if r == p.root and c.pk != p.leaf.pk]
                                  or [p.leaf])
        if p.channel in RESIDENT_CHANNELS:
            actor = Actor.of_resident()
        elif p.channel == Channel.PATROL:
            actor = rng.choice([p.grid.worker, p.grid.worker, p.grid.chief])
        else:
            actor = self.clerk()
        case = actions.create_case(
            actor=actor, channel=p.channel, description=description, title=f"{p.leaf.name}（{address}）",
            category=category, longitude=point[0], latitude=point[1], address=address,
            reporter_name="" if resident is None or anonymous else resident.name,
            reporter_phone="" if resident is None or (anonymous and rng.random() < 0.5) else resident.phone,
            reporter_anonymous=anonymous,
        )
        return case

    def _duplicate_target(self, p: Plan) -> Case | None:
        recent = Case.objects.filter(
            status__in=OPEN_STATUSES, subdistrict=self.world.subdistrict, category__isnull=False,
            grid__isnull=False, submitted_at__gte=self.clock.now - 3 * DAY,
        ).select_related("category")
        return recent.filter(community=p.grid.community).order_by("-submitted_at").first() or \
            recent.order_by("-submitted_at").first()

    def in_hand(self, case: Case, p: Plan) -> Case:
        """Make sure the case is being worked by the plan's handler: after an automatic
        escalation the new level dispatches it again, after a reopen the handler claims it."""
        case = self.fresh(case)
        if case.status == S.SUSPENDED:
            case = actions.resume_case(case=case, actor=p.handler.actor, note="恢复办理。")
        if case.status == S.ACCEPTED:
            if p.handler.target.department is None and case.current_level not in (CaseLevel.GRID, CaseLevel.COMMUNITY):
                p.handler = self.department_handler(p.leaf.default_department.code)
            dispatcher = self.dispatcher_for(case)
            case = actions.dispatch_case(case=case, actor=dispatcher, lead=p.handler.target,
                                         note="升级后重新派单，请抓紧办理。")
            self.outcomes["re-dispatched after escalation"] += 1
        if case.status == S.DISPATCHED:
            if not permissions.can(p.handler.actor, "claim", case) or not permissions.can_see(p.handler.actor, case):
                p.handler = self.handler_of(case) or p.handler  # dispatched elsewhere: its holder claims it
            case = actions.claim_case(case=case, actor=p.handler.actor)
        if case.status != S.IN_PROGRESS:
            raise StoryEnd(f"case not workable in status {case.status}")
        return case

    def handler_of(self, case: Case) -> Handler | None:
        """The people behind the case's lead assignment (a department's officer, the grid's
        worker, the community's secretary, the person)."""
        lead = case.lead_assignment()
        if lead is None:
            return None
        if lead.department_id:
            code = next((c for c, d in self.world.departments.items() if d.pk == lead.department_id), None)
            return self.department_handler(code) if code in self.world.officers else None
        if lead.user_id:
            return Handler(actions.Target(user=lead.user), lead.user)
        grid = next((g for g in self.world.grids if g.region.pk == lead.region_id), None)
        if grid is not None:
            return Handler(actions.Target(region=grid.region), grid.worker)
        community = next((c for c in self.world.communities if c.pk == lead.region_id), None)
        return Handler(actions.Target(region=community), self.world.secretary(community)) if community else None

    def wait_until(self, p: Plan, case: Case, until: dt.datetime) -> Generator[dt.datetime, None, None]:
        """Sleep until ``until``. If the case's deadline passes meanwhile and the sweep escalates
        it, the level above dispatches it again within office hours (and its handler claims it):
        an escalated case waits hours for its new handler, not until the story's next step."""
        while self.clock.now < until:
            current = self.fresh(case)
            due = current.resolve_due_at if current.status in (S.DISPATCHED, S.IN_PROGRESS) else None
            if (due is None or not self.clock.now <= due < until
                    or not current.sla_policy.escalate_when_overdue or current.current_level == CaseLevel.CITY):
                yield until
                return
            yield self.later(20, 240, after=due)
            if self.fresh(case).status == S.ACCEPTED:  # escalated by the sweep
                self.in_hand(case, p)

    def between(self, until: dt.datetime, lo: float, hi: float) -> dt.datetime:
        """A moment from now towards ``until`` (a share between ``lo`` and ``hi`` of the way)."""
        now = self.clock.now
        return max(now + MIN, now + (until - now) * self.rng.uniform(lo, hi))

    def reopen_moment(self) -> dt.datetime:
        """When the showcase's 重办 resident says 不满意 on the callback: the last office-hours
        moment at least two hours before the present. Anchored to the present, not to the day the
        case came in, so that the department has claimed it again by the present and its new
        deadline (24 hours or more after the reopening) is still ahead — whatever the hour or
        weekday the demo is loaded at (counted from its filing, the reopened case had gone
        overdue and been escalated past its department by the sweep, or was not yet reopened)."""
        local = (self.end - REOPEN_BEFORE_END).astimezone(LOCAL_TZ)
        if 8 <= local.hour < 20:
            return local.astimezone(dt.UTC)
        day = local.date() - (dt.timedelta(days=1) if local.hour < 8 else dt.timedelta())
        return dt.datetime.combine(day, dt.time(19, 30), tzinfo=LOCAL_TZ).astimezone(dt.UTC)

    def resolve_time(self, case: Case, p: Plan) -> dt.datetime:
        """When the handler reports the result: well within the deadline, mostly."""
        start, due = case.clock_started_at, case.resolve_due_at
        # Late only where the policy supervises rather than escalates (the other cases are late
        # by the office hours alone, now and then, and escalated by the sweep).
        late = "late" in p.twists and not case.sla_policy.escalate_when_overdue
        share = self.rng.uniform(1.05, 1.5) if late else self.rng.triangular(0.08, 0.95, 0.35)
        at = start + (due - start) * share
        earliest = self.clock.now + dt.timedelta(minutes=self.rng.uniform(20, 90))
        at = max(at, earliest)
        if urgent(case) or self.office(at) > due >= at:
            return at  # the duty crew works at night rather than let the deadline pass
        return self.office(at)


def _month(at: dt.datetime) -> tuple[int, int]:
    local = at.astimezone(LOCAL_TZ)
    return local.year, local.month


def _story_line(exc: BaseException) -> int | None:
    """The line of this module where a refused step was taken (to tell which step it was)."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == __file__:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def urgent(case: Case) -> bool:
    """A case on an hours-long clock is worked at night too."""
    policy = case.sla_policy
    return policy.resolve_unit != DurationUnit.WORKING_DAYS and policy.resolve_value <= 8


def story(sim: Simulation, p: Plan, case: Case | None = None) -> Generator[dt.datetime, None, None]:
    """One case from filing to where ``p.destiny`` says it is today — or to wherever it has got
    when the simulated time runs out (most stories are cut short by the present, not by a
    destiny: that is what leaves young cases open, and open cases amber near their deadline).
    Given ``case`` (filed by an app's demo), the story starts at the clerk's acceptance."""
    rng = sim.rng
    if case is None:
        case = sim.file(p)
        sim.outcomes["filed"] += 1
    else:
        sim.outcomes["apps' cases taken up by the desk"] += 1
    if p.destiny == S.SUBMITTED:
        return

    # 受理: the hotline clerk registers the call while the caller is on the line (the 1-minute
    # response, S2, nearly always kept); reports from residents' phones wait for a clerk to look
    # at the queue — a minute or two in office hours, the next morning at night.
    resident_channel = p.channel in RESIDENT_CHANNELS
    prompt = "prompt" in p.twists  # the showcase cases: no waiting for the next office morning
    yield sim.later(0.3, 2.5, office=not prompt) if resident_channel else sim.later(0.1, 1.05, office=False)
    clerk = sim.clerk()
    if p.destiny == S.REJECTED:
        actions.reject_case(case=case, actor=clerk, reason=rng.choice(data.REJECT_REASONS))
        return
    if p.destiny == S.MERGED:
        if sim.fresh(p.duplicate_of).status in OPEN_STATUSES:
            actions.merge_case(case=case, into=p.duplicate_of, actor=clerk, note="同一问题重复反映，合并办理。")
            return
        p.destiny = S.CLOSED  # the first report was finished meanwhile: this one is handled on its own
    case = actions.accept_case(case=case, actor=clerk, category=p.leaf)
    if p.destiny == S.ACCEPTED:
        return

    # 派单 (or, for a patrol finding, the grid worker handles it on the spot).
    if p.route == "onsite":
        yield sim.later(1, 20, office=False)
        case = actions.claim_case(case=case, actor=p.handler.actor, note="网格员就地处置。")
    else:
        if prompt or rng.random() < 0.85:
            yield sim.later(2, 14, office=False)
        else:
            yield sim.later(15, 60, office=not urgent(case))
        dispatcher = sim.clerk()
        if "returned" in p.twists:
            wrong_code = rng.choice([c for c in sim.world.departments if c != (p.leaf.default_department.code)])
            wrong = sim.department_handler(wrong_code)
            case = actions.dispatch_case(case=case, actor=dispatcher, lead=wrong.target)
            yield sim.later(30, 300)
            if sim.fresh(case).status == S.DISPATCHED:  # not escalated meanwhile
                case = actions.return_case(case=case, actor=wrong.actor, reason=rng.choice(data.RETURN_REASONS))
                yield sim.later(5, 40)
            dispatcher = sim.clerk()
        co = []
        if p.route == "joint":
            lead_code = p.handler.target.department.code
            options = [c for c in CO_HANDLERS.get(lead_code, ()) if c != lead_code]
            co = [sim.department_handler(c) for c in rng.sample(options, k=min(len(options), rng.randint(1, 2)))]
        case = actions.dispatch_case(case=case, actor=dispatcher, lead=p.handler.target,
                                     co_handlers=[h.target for h in co],
                                     note="请牵头办理，协办单位配合。" if co else "")
        if p.destiny == S.DISPATCHED:
            return
        yield sim.later(5, 40, office=False) if urgent(case) or prompt else sim.later(10, 180)
        still_with_handler = sim.fresh(case).status == S.DISPATCHED  # not escalated by the sweep meanwhile
        if p.route == "community" and still_with_handler and rng.random() < 0.5:
            # 转派: the community passes it on to the department that can solve it.
            handler = sim.department_handler(p.leaf.default_department.code)
            case = actions.redispatch_case(case=case, actor=p.handler.actor, lead=handler.target,
                                           note="请职能部门协助处理。")
            p.handler = handler
            yield sim.later(10, 120)
        if "escalate" in p.twists and still_with_handler and p.handler.target.department is None:
            case = actions.escalate_case(case=case, actor=p.handler.actor, reason=rng.choice(data.ESCALATE_REASONS))
            yield sim.later(20, 240)
            p.handler = sim.department_handler(p.leaf.default_department.code)
            case = actions.dispatch_case(case=case, actor=sim.dispatcher_for(sim.fresh(case)), lead=p.handler.target,
                                         note="上报事件，请职能部门牵头办理。")
            yield sim.later(10, 120)
        case = sim.in_hand(case, p)
        for h in co:
            yield sim.later(10, 240)
            if case.assignments.filter(active=True, department=h.target.department).exists():
                actions.report_in(case=case, actor=h.actor, note="已报到，配合办理。")
    if p.destiny == S.IN_PROGRESS and "extension" not in p.twists and "urge" not in p.twists:
        if "progress" in p.twists:
            yield sim.later(60, 600)
            case = sim.in_hand(case, p)
            actions.add_progress_note(case=case, actor=p.handler.actor, note=rng.choice(data.PROGRESS_NOTES))
        return

    # 办理: notes, a pause, more time, a push from the leader — all before the result is due.
    resolve_at = sim.resolve_time(case, p)
    if "progress" in p.twists:
        yield sim.between(resolve_at, 0.15, 0.5)
        case = sim.in_hand(case, p)
        actions.add_progress_note(case=case, actor=p.handler.actor, note=rng.choice(data.PROGRESS_NOTES),
                                  public=rng.random() < 0.5)
    if "suspend" in p.twists:
        yield sim.between(resolve_at, 0.2, 0.6)
        case = sim.in_hand(case, p)
        case = actions.suspend_case(case=case, actor=p.handler.actor, reason=rng.choice(data.SUSPEND_REASONS))
        if p.destiny == S.SUSPENDED:
            return
        paused = dt.timedelta(days=rng.uniform(8, 40)) if "long_pause" in p.twists else \
            dt.timedelta(hours=rng.uniform(6, 96))
        yield sim.office(sim.clock.now + paused)
        paused = sim.clock.now - case.suspended_at
        case = actions.resume_case(case=case, actor=p.handler.actor, note="条件具备，恢复办理。")
        resolve_at += paused
    if "extension" in p.twists:
        yield sim.between(resolve_at, 0.3, 0.6)
        case = sim.in_hand(case, p)
        request = actions.request_extension(case=case, actor=p.handler.actor, working_days=rng.choice((3, 5, 10)),
                                            reason=rng.choice(data.EXTENSION_REASONS))
        if p.destiny == S.IN_PROGRESS:
            return  # the request waits for the leader's decision (the leader's desk)
        yield sim.between(resolve_at, 0.2, 0.5)
        case = sim.in_hand(case, p)
        request = ExtensionRequest.objects.get(pk=request.pk)
        approve = rng.random() < 0.8 and request.status == ExtensionStatus.PENDING
        if request.status == ExtensionStatus.PENDING:  # not withdrawn by an escalation meanwhile
            actions.decide_extension(request=request, actor=sim.world.user("leader"), approve=approve,
                                     note="同意延期，请按新时限办结。" if approve else "不同意延期，请按原时限办结。")
        if approve:
            resolve_at = max(resolve_at, sim.resolve_time(sim.fresh(case), p))
    if "urge" in p.twists:
        case = sim.fresh(case)
        start, due = case.clock_started_at, case.resolve_due_at
        urge_at = start + (due - start) * rng.uniform(0.82, 0.9)
        if urge_at > sim.clock.now:
            yield urge_at
            case = sim.in_hand(case, p)
            actions.urge_case(case=case, actor=sim.world.user("leader"), note=rng.choice(data.URGE_NOTES))
            resolve_at = sim.clock.now + (due - sim.clock.now) * rng.uniform(0.3, 0.9)
    if p.destiny in (S.IN_PROGRESS, S.SUSPENDED):
        yield from sim.wait_until(p, case, sim.end + MIN)  # still re-dispatched if escalated meanwhile
        return
    if "stay_reopened" in p.twists:  # answered in time for the callback that sends it back
        resolve_at = min(resolve_at, sim.reopen_moment() - 2 * HOUR)
    resolve_at = max(resolve_at, sim.clock.now + MIN)
    if "late" in p.twists and not sim.fresh(case).sla_policy.escalate_when_overdue:
        # Late (超时): the light turns red and stays red — this policy is supervised, not escalated
        # — and the leader presses the handler (督办) before the result finally comes.
        due = sim.fresh(case).resolve_due_at
        if rng.random() < 0.6 and resolve_at - due > 2 * HOUR:
            yield sim.between(resolve_at, 0.1, 0.6) if sim.clock.now > due else sim.office(due + HOUR * rng.uniform(1, 20))
            case = sim.in_hand(case, p)
            actions.urge_case(case=case, actor=sim.world.user("leader"), note=rng.choice(data.URGE_NOTES))
    yield from sim.wait_until(p, case, resolve_at)
    yield from resolve_and_answer(sim, p, case)


def _unreachable(case: Case) -> bool:
    """About one resident in twenty-five does not answer the callbacks (chosen by the case
    number, so the random stream of every other case stays as it was)."""
    return zlib.crc32(case.number.encode()) % 25 == 0


def resolve_and_answer(sim: Simulation, p: Plan, case: Case) -> Generator[dt.datetime, None, None]:
    """办结 → 回访 (三看) → 评价 → 结案, on the closing rule (``cases.closing_rules``). 不满意 reopens
    it; after the second answer the resident may not rate again, and the case is closed with the
    不满意 on record and the refusal to rate recorded. A report with no phone number has nobody
    to call back and is closed saying so; a resident who does not answer three callbacks is
    closed as not reachable."""
    rng = sim.rng
    # The showcase's 重办 is sent back and claimed again at moments set from the present (the
    # random delays are still drawn, so that every other story keeps its random stream).
    reopen_at = sim.reopen_moment() if "stay_reopened" in p.twists else None

    def callback(at: dt.datetime) -> dt.datetime:
        return at if reopen_at is None else max(reopen_at, sim.clock.now + MIN)

    def reclaim(at: dt.datetime) -> dt.datetime:
        return at if reopen_at is None else max(reopen_at, sim.clock.now) + RECLAIM_AFTER

    for attempt in (1, 2):
        case = sim.in_hand(case, p)
        result = rng.choice(data.LEAF_RESULTS.get(p.spec.code) or data.RESULTS[p.root])
        if attempt == 2:
            result = "重新办理：" + result
        case = actions.resolve_case(case=case, actor=p.handler.actor, result=result)
        if p.destiny == S.RESOLVED:
            return
        if not closing_rules.contact_phone(case):
            yield sim.later(60, 1800)
            actions.close_case(case=case, actor=sim.clerk(), without_revisit=closing_rules.NoRevisit.NO_CONTACT,
                               note="未留联系电话，无法回访。")
            return
        if attempt == 1 and _unreachable(case) and reopen_at is None and not p.twists & ANSWERS_THE_CALLBACK:
            for note in ("电话无人接听。", "电话无人接听，已发短信请回电。", "电话关机。")[:closing_rules.revisit_attempts_needed()]:
                yield sim.later(120, 1440)
                actions.record_revisit_attempt(case=case, actor=sim.clerk(), note=note)
            yield sim.later(30, 600)
            actions.close_case(case=case, actor=sim.clerk(), without_revisit=closing_rules.NoRevisit.UNREACHABLE,
                               note="多次回访未接通，结案。")
            return
        rating = p.rating if attempt == 1 else None if "no_second_rating" in p.twists else \
            rng.choice((Satisfaction.BASICALLY, Satisfaction.SATISFIED, None))
        by_resident = rating is not None and rng.random() < 0.25
        if by_resident:
            yield callback(sim.later(30, 1440, office=False))
            case = actions.rate_case_as_resident(case=case, satisfaction=rating,
                                                 comment=rng.choice(data.RATING_COMMENTS[rating]))
            if case.status != S.RESOLVED:  # 不满意: reopened
                yield reclaim(sim.later(30, 600))
                if "stay_reopened" in p.twists:  # sent back, being worked again (重办)
                    sim.in_hand(case, p)
                    return
                continue
        yield callback(sim.later(60, 1800))
        clerk = sim.clerk()
        if "reveal" in p.twists and case.reporter_phone:
            actions.reveal_reporter(case=case, actor=clerk, channel="web")
        accepted = rating != Satisfaction.UNSATISFIED
        case = actions.revisit_case(case=case, actor=clerk, lawful=True, in_place=True, accepted=accepted,
                                    note="电话回访，已告知办理结果。",
                                    in_place_words=rng.choice(data.REVISIT_WORDS["in_place"]),
                                    accepted_words=rng.choice(data.REVISIT_WORDS["accepted" if accepted else "refused"]))
        if rating is not None and not by_resident:
            case = actions.rate_case(case=case, actor=clerk, satisfaction=rating,
                                     comment=rng.choice(data.RATING_COMMENTS[rating]))
            if case.status != S.RESOLVED:
                yield reclaim(sim.later(30, 600))
                if "stay_reopened" in p.twists:
                    sim.in_hand(case, p)
                    return
                continue
        yield sim.later(5, 90)
        if sim.fresh(case).answer_rated:
            actions.close_case(case=case, actor=sim.clerk(), note="已回访，结案。")
        else:
            actions.close_case(case=case, actor=sim.clerk(), rating_declined=True, note="已回访，居民不愿评价，结案。")
        return


# ---------------------------------------------------------------------------------------------
# Plans: when each case comes in, what it is about, and how far it has got today
# ---------------------------------------------------------------------------------------------


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _in_heating_season(at: dt.datetime) -> bool:
    local = at.astimezone(LOCAL_TZ)
    return local.month in (11, 12, 1, 2, 3) or (local.month == 10 and local.day >= 25)


def _root_weight(spec: data.CategorySpec, at: dt.datetime) -> float:
    local = at.astimezone(LOCAL_TZ)
    if spec.code == "gongnuan":
        return spec.weight * (2.2 if _in_heating_season(at) else 0.08)
    if spec.code in ("zaoyin", "youyan") and local.month in (6, 7, 8, 9):
        return spec.weight * 1.6
    return spec.weight


def _destiny(rng: random.Random) -> str:
    """How far a story may go. Almost every case is meant to be closed; the present cuts the
    young ones short wherever they have got (waiting, with a handler, resolved, revisited)."""
    return _weighted(rng, {S.CLOSED: 91.5, S.REJECTED: 4.5, S.MERGED: 4})


def _twists(rng: random.Random, route: str) -> set[str]:
    # "late": a 5- or 15-working-day case goes red and is resolved late (those policies are
    # supervised, not escalated); a 24-hour or 4-hour one is escalated and dispatched again.
    chances = {"progress": 0.35, "suspend": 0.04, "extension": 0.04, "late": 0.2, "urge": 0.06,
               "returned": 0.05, "reveal": 0.06, "wrong_category": 0.05, "long_pause": 0.012}
    if route in ("grid", "community"):
        chances["escalate"] = 0.12
    twists = {t for t, p in chances.items() if rng.random() < p}
    if route == "onsite":
        twists.discard("returned")
    if "long_pause" in twists:
        twists.add("suspend")  # waiting weeks for the weather, a court, an owners' vote
    return twists


def _route(rng: random.Random, spec: data.CategorySpec, root: data.CategorySpec, channel: str) -> str:
    star = spec.star or root.star or 1
    handling = spec.handling or root.handling
    if channel == Channel.PATROL and star == 1 and rng.random() < 0.6:
        return "onsite"
    if handling == "coordination":
        return _weighted(rng, {"community": 40, "dept": 45, "joint": 15})
    if star >= 2:
        return _weighted(rng, {"dept": 75, "joint": 20, "community": 5})
    return _weighted(rng, {"grid": 25, "dept": 65, "community": 10})


def day_weight(day: dt.date, calendar) -> float:
    """How many reports come in on ``day``, relatively: the season's categories (heating in
    winter, noise and smoke in summer), fewer at weekends and far fewer on public holidays
    (春节, 国庆), when offices and residents are away."""
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=LOCAL_TZ)
    weight = sum(_root_weight(spec, noon) for spec in data.CATEGORIES)
    working = calendar.is_workday(day)[0]
    if not working:
        weight *= 0.75 if day.weekday() >= 5 else 0.45
    return weight


def _submission_time(rng: random.Random, start: dt.datetime, end: dt.datetime, days: list, weights: list) -> dt.datetime:
    while True:
        day = rng.choices(days, weights=weights)[0]
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        at = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=LOCAL_TZ)
        at = at.astimezone(dt.timezone.utc)
        if start <= at < end:
            return at


def local_days(start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    first, last = start.astimezone(LOCAL_TZ).date(), end.astimezone(LOCAL_TZ).date()
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# (destiny, age, twists, route, category code, channel, rating): one of each thing a visitor
# should find in the demo, however few cases are loaded.
SHOWCASE = (
    (S.SUBMITTED, 3 * MIN, (), "dept", "huanjing-laji", Channel.QR_PAGE, None),
    (S.ACCEPTED, 9 * MIN, (), "dept", "shirong-zhandao", Channel.HOTLINE, None),
    (S.DISPATCHED, 2 * HOUR, (), "dept", "daolu-ludeng", Channel.HOTLINE_12345, None),
    (S.IN_PROGRESS, 26 * HOUR, ("progress",), "dept", "wuye-fuwu", Channel.HOTLINE, None),
    (S.IN_PROGRESS, 21 * HOUR, ("urge",), "dept", "huanjing-baojie", Channel.WECHAT, None),
    (S.IN_PROGRESS, 2 * DAY, (), "joint", "weijian-sida", Channel.HOTLINE_12345, None),
    (S.IN_PROGRESS, 3 * DAY, ("escalate",), "grid", "linli-duiwu", Channel.HOTLINE, None),
    (S.IN_PROGRESS, 4 * DAY, ("extension",), "dept", "wuye-shoufei", Channel.PROPERTY, None),
    (S.IN_PROGRESS, 2 * DAY, ("extension",), "dept", "yanglao-zhucan", Channel.HOTLINE, None),
    (S.IN_PROGRESS, 40 * DAY, (), "dept", "weijian-chaigai", Channel.PETITION, None),
    (S.SUSPENDED, 6 * DAY, ("suspend",), "dept", "gongnuan-shoufei", Channel.HOTLINE, None),
    (S.RESOLVED, 2 * DAY, (), "grid", "shirong-luandui", Channel.PATROL, None),
    (S.MERGED, 20 * HOUR, (), "dept", "huanjing-laji", Channel.HOTLINE, None),
    (S.REJECTED, 5 * DAY, (), "dept", "linli-tingche", Channel.HOTLINE, None),
    (S.CLOSED, 10 * DAY, ("progress", "reveal"), "dept", "gongshui-shuiya", Channel.HOTLINE,
     Satisfaction.SATISFIED),
    (S.CLOSED, 12 * DAY, ("returned",), "dept", "zaoyin-shigong", Channel.HOTLINE_12345, Satisfaction.BASICALLY),
    # Closed with the 不满意 on record: answered twice, the resident does not rate again.
    (S.CLOSED, 20 * DAY, ("no_second_rating",), "dept", "youyan-canyin", Channel.HOTLINE, Satisfaction.UNSATISFIED),
    (S.CLOSED, 30 * DAY, ("late",), "dept", "daolu-lumian", Channel.HOTLINE, Satisfaction.SATISFIED),
    (S.CLOSED, 16 * DAY, (), "onsite", "shirong-danche", Channel.PATROL, Satisfaction.SATISFIED),
    # Sent back by an unsatisfied resident and being worked again (the department's 退回重办).
    (S.CLOSED, 3 * DAY, ("stay_reopened",), "dept", "gongnuan-bure", Channel.HOTLINE, Satisfaction.UNSATISFIED),
    (S.CLOSED, 8 * DAY, ("stay_reopened",), "dept", "shichang-shipin", Channel.HOTLINE_12345, Satisfaction.UNSATISFIED),
)


def make_plans(sim: Simulation, *, count: int, start: dt.datetime, calendar) -> list[Plan]:
    """``count`` scripts: the showcase, one case waiting to be claimed by each department (every
    department officer finds work on their desk), then the day's ordinary reports, spread over
    the days by ``day_weight`` and over the grids."""
    rng, world, end = sim.rng, sim.world, sim.end
    roots = {spec.code: spec for spec in data.CATEGORIES}
    by_code = {c.code: (c, s, r) for c, s, r in world.leaves}
    plans = []

    def handler_for(route: str, leaf: Category, grid: GridInfo) -> Handler:
        if route == "onsite":
            return Handler(actions.Target(user=grid.worker), grid.worker)
        if route == "grid":
            return Handler(actions.Target(region=grid.region), rng.choice([grid.worker, grid.chief]))
        if route == "community":
            return Handler(actions.Target(region=grid.community), world.secretary(grid.community))
        return sim.department_handler(leaf.default_department.code)

    def add(at, destiny, route, leaf, spec, root, channel, twists, rating, grid=None):
        grid = grid or rng.choice(world.grids)
        if route == "onsite":
            channel = Channel.PATROL
        plans.append(Plan(at=at, destiny=destiny, grid=grid, leaf=leaf, spec=spec, root=root, channel=channel,
                          route=route, twists=frozenset(twists), rating=rating or _weighted(rng, RATINGS),
                          handler=handler_for(route, leaf, grid)))

    # The showcase goes round the grids, so that every grid worker's page has something open.
    showcase = list(SHOWCASE)
    for code in world.departments:
        leaves = [c.code for c, _s, _r in world.leaves if c.default_department and c.default_department.code == code]
        if leaves:
            showcase.append((S.DISPATCHED, rng.uniform(0.6, 5) * HOUR, (), "dept", leaves[0], Channel.HOTLINE, None))
    for k, (destiny, age, twists, route, code, channel, rating) in enumerate(showcase[:count]):
        leaf, spec, root = by_code[code]
        age = min(age, (end - start) * 0.95)  # inside the replayed days, however few
        add(end - age, destiny, route, leaf, spec, root, channel, {*twists, "prompt"}, rating,
            grid=world.grids[k % len(world.grids)])

    days = local_days(start, end)
    weights = [day_weight(day, calendar) for day in days]
    for _ in range(max(0, count - len(showcase))):
        at = _submission_time(rng, start, end, days, weights)
        root_spec = rng.choices(data.CATEGORIES, weights=[_root_weight(s, at) for s in data.CATEGORIES])[0]
        spec = rng.choice(root_spec.children)
        leaf = by_code[spec.code][0]
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        route = _route(rng, spec, roots[root_spec.code], channel)
        add(at, _destiny(rng), route, leaf, spec, root_spec.code, channel, _twists(rng, route), None)
    return plans


def adopt_plans(sim: Simulation, cases: list[Case]) -> list[Plan]:
    """Scripts for cases the apps' demos filed (patrol findings, reports) and left waiting for
    the desk: the clerk accepts each and it is worked like any other — none stays forgotten in
    the intake queue for weeks."""
    rng, world = sim.rng, sim.world
    roots = {spec.code: spec for spec in data.CATEGORIES}
    grids = {g.region.pk: g for g in world.grids}
    plans = []
    for case in cases:
        grid = grids.get(case.grid_id) or rng.choice(world.grids)
        leaf, spec, root = _leaf_for(world, case) or rng.choice(world.leaves)
        route = _route(rng, spec, roots[root], case.channel)
        route = "dept" if route == "onsite" else route
        handler = (sim.department_handler(leaf.default_department.code) if route in ("dept", "joint") else
                   Handler(actions.Target(region=grid.region), rng.choice([grid.worker, grid.chief])) if route == "grid"
                   else Handler(actions.Target(region=grid.community), world.secretary(grid.community)))
        twists = _twists(rng, route) - {"returned", "wrong_category"}
        plans.append(Plan(at=case.submitted_at + dt.timedelta(minutes=1), destiny=S.CLOSED, grid=grid, leaf=leaf,
                          spec=spec, root=root, channel=case.channel, route=route, twists=frozenset(twists),
                          rating=_weighted(rng, RATINGS), handler=handler, case=case))
    return plans


def _leaf_for(world: DemoWorld, case: Case) -> tuple | None:
    """The demo leaf of the case's category; for an unclassified one, the one the hotline page
    would suggest for its text (as the clerk would pick it), so that a report of litter is not
    sent to the heating company."""
    leaves = {c.pk: (c, s, r) for c, s, r in world.leaves}
    if case.category_id is not None:
        return leaves.get(case.category_id)
    for category in suggest_categories(f"{case.title} {case.description}", limit=5):
        if category.pk in leaves:
            return leaves[category.pk]
    return None


def settle_notifications(*, before: dt.datetime) -> int:
    """Staff have read their older notifications; only the last days' stay unread."""
    return Notification.objects.filter(created_at__lt=before, read_at__isnull=True).update(
        read_at=F("created_at") + dt.timedelta(hours=3)
    )

