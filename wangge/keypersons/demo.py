"""Demo key persons: a register for the first grids, a few months of visits (some missed, so
the coverage and the overdue list have something to show), 六到 and 六报 entries, the routes of
the information reports; then the demo's diary days are closed and mostly signed off. All through
the actions; a few seconds."""

from __future__ import annotations

import datetime as dt

from wangge.diary import actions as diary_actions
from wangge.diary.models import DiaryDay
from wangge.org.choices import Role

from . import actions, periods
from .choices import AttendanceKind, HelpNeeded, Mood, QuickReportKind
from .models import KeyPersonTag, QuickReportRoute

FAMILY = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "桂兰", "建国", "玉兰", "德明", "淑珍", "志强", "凤英", "国华", "春花", "永福", "丽娟"]
FOUND = ["身体尚可，生活能自理", "反映血压偏高，已提醒按时服药", "家中暖气不热", "情绪稳定，子女每周探望",
         "刚找到新工作", "希望办理残疾人补贴", "租住人员信息已登记"]


# 六报 of the demo, by kind: (place, note) as a worker types them.
QUICK_REPORTS = {
    QuickReportKind.PREGNANCY: ("", "{b}号楼2单元住户新孕，已提醒到社区卫生服务站建档"),
    QuickReportKind.INCOMING: ("{b}号楼1单元", "新租户两人，已登记流动人口信息"),
    QuickReportKind.DIRT: ("", "{b}号楼东侧垃圾堆放多日"),
}


def _name(rng) -> str:
    return rng.choice(FAMILY) + rng.choice(GIVEN)


def _at_work(now: dt.datetime, days_back: int, hour: int, minute: int) -> dt.datetime:
    """``hour:minute`` on the local (Beijing) clock, ``days_back`` local days before ``now``: a
    worker's hours, never after ``now`` (a time still to come today falls on the day before)."""
    day = periods.local_day(now) - dt.timedelta(days=days_back)
    at = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=periods.tz())
    return at if at <= now else at - dt.timedelta(days=1)


def load_demo_data(*, world, rng, now) -> int:
    made = 0
    QuickReportRoute.objects.get_or_create(kind=QuickReportKind.PREGNANCY, defaults={"role": Role.COMMUNITY_SECRETARY})
    QuickReportRoute.objects.get_or_create(kind=QuickReportKind.INCOMING, defaults={"role": Role.COMMUNITY_SECRETARY})
    tags = list(KeyPersonTag.objects.filter(is_active=True))
    if not tags:
        return made
    for n, info in enumerate(world.grids[:8]):
        if info.worker is None or info.chief is None:
            continue
        for i in range(6):
            person = actions.register_key_person(
                actor=info.chief, grid=info.region, name=_name(rng), phone=f"139{rng.randrange(10**8):08d}",
                id_number=f"110105{rng.randrange(1940, 2000)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
                          f"{rng.randrange(1000, 9999)}",
                address=f"{info.community.name}{rng.randrange(1, 12)}号楼{rng.randrange(1, 4)}单元{rng.randrange(101, 1802)}",
                tags=rng.sample(tags, rng.choice([1, 1, 2])), worker=info.worker,
                registered_at=_at_work(now, 120, 9, 30), notes="")
            made += 1
            for months_back in (3, 2, 1, 0):
                if rng.random() < 0.25:
                    continue  # a missed month
                at = _at_work(now, 30 * months_back + rng.randrange(0, 25), 9 + rng.randrange(0, 8), rng.randrange(60))
                help_needed = HelpNeeded.SERVICE if rng.random() < 0.1 else HelpNeeded.NONE
                actions.record_visit(actor=info.worker, person=person, visited_at=at, found=rng.choice(FOUND),
                                     place="家中", mood=rng.choice([Mood.STABLE] * 5 + [Mood.LOW, Mood.ANXIOUS]),
                                     help_needed=help_needed, need_note="需要助餐服务" if help_needed else "",
                                     now=at + dt.timedelta(hours=1))
                made += 1
        for back in (2, 1):
            at = _at_work(now, back, 9 + rng.randrange(1, 6), rng.randrange(60))
            actions.record_attendance(actor=info.worker, kind=rng.choice(AttendanceKind.values), grid=info.region,
                                      note="到场了解情况", at=at, now=now)
            made += 1
        kind = [QuickReportKind.PREGNANCY, QuickReportKind.INCOMING, QuickReportKind.DIRT][n % 3]
        place, note = (text.format(b=n % 6 + 2) for text in QUICK_REPORTS[kind])
        actions.quick_report(actor=info.worker, kind=kind, grid=info.region, place=place, note=note,
                             at=_at_work(now, 1, 10 + n % 6, (17 * n) % 60), now=now)
        made += 1
    # Close the ended days (the end-of-day job) and let the chiefs sign most of them.
    diary_actions.close_ended_days(now=now)
    for row in DiaryDay.objects.filter(status="closed").select_related("worker")[:200]:
        info = next((g for g in world.grids if g.worker == row.worker), None)
        if info and info.chief and rng.random() < 0.7:
            diary_actions.sign_off(actor=info.chief, diary_day=row, note="已阅")
            made += 1
    return made
