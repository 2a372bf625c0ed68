"""Compliance figures (巡查考核): per worker, grid or community, for a period — due visits done
on time, missed, check-ins, findings per patrol, cases from patrols vs from residents, on-the-spot
resolutions. One GROUP BY per table, never a loop per worker or grid.

A slot counts in the period its window closes in, and only once closed: "missed" is exactly the
closed windows without a check-in. A check-in fills only the slot whose window holds its own
time, so every done slot was done on time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q

from wangge.cases.channels import Channel
from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case
from wangge.org.models import Region, User
from wangge.org.scope import Scope

from .choices import SlotStatus
from .models import CheckIn, Finding, VisitSlot
from .windows import day_bounds, today


class By:
    WORKER = "worker"
    GRID = "grid"
    COMMUNITY = "community"
    ALL = (WORKER, GRID, COMMUNITY)


COLUMNS = ["due", "done", "missed", "open", "checkins", "findings", "on_the_spot", "patrol_cases",
           "resident_cases"]


@dataclass
class FigureRow:
    key: int | None
    name: str
    values: dict = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))
    # Where the row is listed: a grid or community in the territory's own order (第一, 第二, 第三 …
    # — sorted by name, 第三 came before 第二), a worker by name.
    order: str = field(default="", compare=False, repr=False)

    @property
    def on_time_rate(self) -> float | None:
        return round(self.values["done"] / self.values["due"], 4) if self.values["due"] else None

    @property
    def findings_per_patrol(self) -> float | None:
        return round(self.values["findings"] / self.values["checkins"], 4) if self.values["checkins"] else None

    def as_dict(self) -> dict:
        return {"key": self.key, "name": self.name, **self.values, "on_time_rate": self.on_time_rate,
                "findings_per_patrol": self.findings_per_patrol}


@dataclass
class Figures:
    by: str
    first: dt.date
    last: dt.date
    rows: list[FigureRow]
    total: FigureRow


def _restrict(user, queryset):
    return Scope.of(user).restrict(queryset)


def compliance(user, *, first: dt.date, last: dt.date, by: str = By.GRID) -> Figures:
    """The figures of the period [first, last] (local days) inside ``user``'s territory."""
    if by not in By.ALL:
        raise ValueError(by)
    now_day = today()
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    rows: dict = {}

    def row(key) -> FigureRow:
        if key not in rows:
            rows[key] = FigureRow(key=key, name="")
        return rows[key]

    closed_before = min(last + dt.timedelta(days=1), now_day)
    slots = _restrict(user, VisitSlot.objects.filter(window_end__gte=first, window_end__lte=last))
    not_cancelled = ~Q(status=SlotStatus.CANCELLED)
    closed = Q(window_end__lt=closed_before)
    if by == By.WORKER:
        # Done visits belong to who made them; missed ones to the point's responsible worker.
        for r in (slots.filter(status=SlotStatus.DONE, checkin__isnull=False).values("checkin__worker_id")
                  .annotate(n=Count("pk"))):
            row(r["checkin__worker_id"]).values["done"] += r["n"]
            row(r["checkin__worker_id"]).values["due"] += r["n"]
        for r in (slots.filter(closed, status__in=[SlotStatus.OPEN, SlotStatus.MISSED],
                               point__responsible__isnull=False)
                  .values("point__responsible_id").annotate(n=Count("pk"))):
            row(r["point__responsible_id"]).values["missed"] += r["n"]
            row(r["point__responsible_id"]).values["due"] += r["n"]
    else:
        column = f"{by}_id"
        for r in slots.values(column).annotate(
            due=Count("pk", filter=not_cancelled & (closed | Q(status=SlotStatus.DONE))),
            done=Count("pk", filter=Q(status=SlotStatus.DONE)),
            missed=Count("pk", filter=closed & Q(status__in=[SlotStatus.OPEN, SlotStatus.MISSED])),
            open=Count("pk", filter=~closed & Q(status=SlotStatus.OPEN)),
        ):
            values = row(r[column]).values
            for k in ("due", "done", "missed", "open"):
                values[k] += r[k]

    key = "worker_id" if by == By.WORKER else f"{by}_id"
    checkins = _restrict(user, CheckIn.objects.filter(client_time__gte=start, client_time__lt=end))
    for r in checkins.values(key).annotate(n=Count("pk")):
        row(r[key]).values["checkins"] += r["n"]
    findings = _restrict(user, Finding.objects.filter(checkin__client_time__gte=start, checkin__client_time__lt=end))
    for r in findings.values(key).annotate(n=Count("pk"), spot=Count("pk", filter=Q(on_the_spot=True))):
        row(r[key]).values["findings"] += r["n"]
        row(r[key]).values["on_the_spot"] += r["spot"]

    cases = _restrict(user, Case.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
                      .exclude(status=CaseStatus.MERGED))
    if by == By.WORKER:
        for r in (cases.filter(channel=Channel.PATROL, created_by__isnull=False).values("created_by_id")
                  .annotate(n=Count("pk"))):
            row(r["created_by_id"]).values["patrol_cases"] += r["n"]
    else:
        for r in cases.values(key).annotate(patrol=Count("pk", filter=Q(channel=Channel.PATROL)),
                                            other=Count("pk", filter=~Q(channel=Channel.PATROL))):
            if r[key] is None:
                continue
            row(r[key]).values["patrol_cases"] += r["patrol"]
            row(r[key]).values["resident_cases"] += r["other"]

    rows.pop(None, None)
    _name(rows, by)
    ordered = sorted(rows.values(), key=lambda r: (r.order, r.name))
    total = FigureRow(key=None, name="")
    for r in ordered:
        for k in COLUMNS:
            total.values[k] += r.values[k]
    return Figures(by=by, first=first, last=last, rows=ordered, total=total)


def _name(rows: dict, by: str) -> None:
    if by == By.WORKER:
        for u in User.objects.filter(pk__in=list(rows)).only("pk", "username", "display_name"):
            rows[u.pk].name = str(u.display_name or u.username)
    else:
        for pk, name, path in Region.objects.filter(pk__in=list(rows)).values_list("pk", "name", "path"):
            rows[pk].name, rows[pk].order = name, path
