"""Demo diary: free notes of the last few days for some grid workers (through the actions). The
days are closed and signed at the end of the demo by ``wangge.keypersons.demo`` (it loads after
every field app, so the frozen days hold their visits and check-ins too)."""

from __future__ import annotations

import datetime as dt

from . import actions, days
from .choices import NoteSection

NOTES = [
    (NoteSection.WORK, "上午巡查主干道和背街小巷，检查沿街商铺门前三包。"),
    (NoteSection.WORK, "参加社区网格例会，汇报本周走访情况。"),
    (NoteSection.PROBLEM, "发现3号楼楼道堆放杂物，存在消防隐患。"),
    (NoteSection.HANDLING, "已联系物业当天清理楼道杂物。"),
    (NoteSection.NOTE, "明天回访独居老人王大爷。"),
]


def load_demo_data(*, world, rng, now) -> int:
    made = 0
    today = days.local_day(now)
    for info in world.grids[:8]:
        if info.worker is None:
            continue
        for back in (3, 2, 1, 0):
            day = today - dt.timedelta(days=back)
            for section, text in rng.sample(NOTES, 2):
                actions.add_note(actor=info.worker, day=day, text=text, section=section)
                made += 1
    return made
