"""Where the diary's lines come from (日记来源): each field app registers a source.

The diary writes nothing of its own about the day's work: it asks every registered source for a
worker's lines of one day (check-ins from patrols, visits from key persons, cases filed or
handled …) and adds the worker's free notes. An app registers in ``AppConfig.ready()``::

    register_diary_source("patrols.checkins", _("Patrol check-ins"), checkin_lines, order=10)

``lines(worker, day)`` returns the ``DiaryLine`` rows of that worker on that local
(Asia/Shanghai) calendar day — exactly that day, nothing from the day before or after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DiaryLine:
    """One line of a day: when, what kind (the source's key), what happened, and a link."""

    at: dt.datetime
    source: str
    text: str
    url: str = ""
    # Free columns for the paper layout and the export (e.g. {"place": …, "result": …}).
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DiarySource:
    key: str
    label: object
    lines: Callable[[object, dt.date], Iterable[DiaryLine]]
    order: int = 100


_sources: dict[str, DiarySource] = {}


def register_diary_source(key: str, label, lines: Callable[[object, dt.date], Iterable[DiaryLine]], *,
                          order: int = 100) -> DiarySource:
    source = DiarySource(key=key, label=label, lines=lines, order=order)
    _sources[key] = source
    return source


def diary_sources() -> list[DiarySource]:
    return sorted(_sources.values(), key=lambda s: (s.order, s.key))


def lines_for(worker, day: dt.date) -> list[DiaryLine]:
    """Every source's lines for ``worker`` on ``day``, in time order."""
    rows: list[DiaryLine] = []
    for source in diary_sources():
        rows.extend(source.lines(worker, day))
    return sorted(rows, key=lambda line: (line.at, line.source))
