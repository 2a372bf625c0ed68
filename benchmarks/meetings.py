"""Consultation meetings (协商议事): the convener's pages and the decision at realistic size.

``run(out)`` expects Django set up on a migrated database (``benchmarks.run`` calls it) and
returns rows (name, target, measured, pass/fail/—). It builds its own small territory (the test
world: two communities) in a fresh ``bench-meetings`` subtree:

1. the ledger (台账) of a community holding 600 open 2★ / coordination cases — built through the
   case actions — read as the agenda builder shows it (``selectors.ledger_rows``). Target: < 300 ms.
2. deciding 40 items with a plan (each dispatches its case through the core, writes the item, the
   meeting event, the case timeline entry and the resident's SMS). Target: p95 < 250 ms.
3. the figures tab over 2,400 held meetings with 12,000 items (fixture rows, bulk-inserted).
   Target: < 300 ms.

Standalone: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/wangge_bench_meetings
python -m benchmarks.meetings``.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time

LEDGER_CASES = 600
DECISIONS = 40
FIG_MEETINGS = 2400
FIG_ITEMS_PER = 5


def _row(name, target, measured, passed):
    return name, target, measured, "—" if passed is None else "pass" if passed else "FAIL"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _territory() -> dict:
    """A district → sub-district → community → grid subtree of its own, with uniquely named staff
    (the bench database may already hold the demo world and other benches' accounts)."""
    from wangge.org.choices import DepartmentKind, RegionLevel, Role
    from wangge.org.models import Department
    from wangge.testing.factories import add_region, make_user, square

    tag = f"bench-meetings-{int(time.time())}"
    city = add_region(None, RegionLevel.CITY, "协商基准市", code=f"{tag}-city")
    district = add_region(city, RegionLevel.DISTRICT, "协商基准区", code=f"{tag}-d")
    subdistrict = add_region(district, RegionLevel.SUBDISTRICT, "协商街道", code=f"{tag}-s")
    community = add_region(subdistrict, RegionLevel.COMMUNITY, "协商社区", code=f"{tag}-c")
    grid = add_region(community, RegionLevel.GRID, "协商第1网格", code=f"{tag}-g", boundary=square(80.0, 20.0))
    department = Department.objects.create(name=f"{tag}城管", code=f"{tag}-cg", kind=DepartmentKind.DISTRICT,
                                           region=district)
    return {
        "community": community, "grid": grid, "department": department,
        "secretary": make_user(Role.COMMUNITY_SECRETARY, region=community, username=f"{tag}-secretary"),
        "clerk": make_user(Role.INTAKE_CLERK, region=subdistrict, username=f"{tag}-clerk"),
        "leader": make_user(Role.LEADER, region=subdistrict, username=f"{tag}-leader"),
    }


def run(out=sys.stdout) -> list[tuple[str, str, str, str]]:
    from django.db import transaction
    from django.utils import timezone

    from wangge.cases import actions as case_actions
    from wangge.cases.choices import Channel
    from wangge.meetings import actions, selectors
    from wangge.meetings.choices import (
        Decision,
        MeetingKind,
        MeetingLevel,
        MeetingStatus,
    )
    from wangge.meetings.models import AgendaItem, Meeting
    from wangge.testing import make_category

    out.write("meetings bench\n")
    rows = []
    world = _territory()
    secretary, clerk = world["secretary"], world["clerk"]
    category = make_category("噪音扰民", department=world["department"], star=2)
    started = time.monotonic()
    cases = []
    for i in range(LEDGER_CASES):
        with transaction.atomic():
            case = case_actions.create_case(actor=clerk, channel=Channel.HOTLINE, title=f"夜市噪音扰民 {i}",
                                            description="小区门口夜市噪音扰民，影响休息", category=category,
                                            region=world["grid"], reporter_name="张三", reporter_phone="13812341234")
            cases.append(case_actions.accept_case(case=case, actor=clerk))
    out.write(f"  {LEDGER_CASES} ledger cases filed and accepted in {time.monotonic() - started:.1f} s\n")

    timings = []
    for _ in range(5):
        t = time.perf_counter()
        ledger = selectors.ledger_rows(secretary, world["community"])
        timings.append(time.perf_counter() - t)
    took = statistics.median(timings)
    rows.append(_row(f"ledger of a community ({LEDGER_CASES} open cases, {len(ledger)} shown)", "< 300 ms", _ms(took), took < 0.3))

    meeting = actions.create_meeting(actor=secretary, kind=MeetingKind.BIMONTHLY, level=MeetingLevel.COMMUNITY,
                                     region=world["community"], scheduled_at=timezone.now())
    for case in cases[:DECISIONS]:
        actions.add_agenda_item(meeting=meeting, actor=secretary, case=case)
    # A 双月协商会 meets the departments face to face: its agenda is published once one is invited.
    actions.add_participant(meeting=meeting, actor=secretary, department=world["department"])
    actions.publish_agenda(meeting=meeting, actor=secretary)
    deadline = timezone.localdate() + dt.timedelta(days=14)
    timings = []
    for item in list(meeting.items.all()):
        t = time.perf_counter()
        actions.decide_item(item=item, actor=secretary, decision=Decision.PLAN, outcome="城管牵头整治",
                            lead_department=world["department"], deadline=deadline)
        timings.append(time.perf_counter() - t)
    p95 = sorted(timings)[int(len(timings) * 0.95) - 1]
    rows.append(_row(f"decide an item with a plan (dispatch through the core), p95 of {DECISIONS}", "< 250 ms",
                     _ms(p95), p95 < 0.25))

    now = timezone.now()
    fixtures = [Meeting(title=f"bench {i}", kind=MeetingKind.DELIBERATION, level=MeetingLevel.COMMUNITY,
                        region=world["community"], community=world["community"], convener=secretary,
                        scheduled_at=now - dt.timedelta(days=i % 365), status=MeetingStatus.HELD, held_at=now)
                for i in range(FIG_MEETINGS)]
    Meeting.objects.bulk_create(fixtures, batch_size=1000)
    decisions = [Decision.SOLVED, Decision.DEFERRED, Decision.SOLVED, Decision.DEFERRED, Decision.SOLVED]
    AgendaItem.objects.bulk_create(
        [AgendaItem(meeting=m, position=k, title="议题", decision=decisions[k], outcome="已协商", decided_at=now,
                    is_dispute=k == 0)
         for m in Meeting.objects.filter(title__startswith="bench ") for k in range(FIG_ITEMS_PER)],
        batch_size=2000)
    timings = []
    for _ in range(5):
        t = time.perf_counter()
        figures = selectors.figures(world["leader"])
        timings.append(time.perf_counter() - t)
    took = statistics.median(timings)
    rows.append(_row(f"figures tab, {figures['meetings']} meetings / {figures['items']} items", "< 300 ms",
                     _ms(took), took < 0.3))
    for name, target, measured, result in rows:
        out.write(f"  {name}: {measured} (target {target}) {result}\n")
    return rows


def main() -> None:
    from benchmarks.run import run_alone

    run_alone(run, "wangge_bench_meetings")


if __name__ == "__main__":
    main()
