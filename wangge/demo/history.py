"""The months before the replay (案件历史): finished cases, copied in bulk from replayed ones.

The last weeks are replayed through the real actions (``simulate``). The year before them only
needs to be *history* — cases whose whole life is over: filed, dispatched, handled, answered,
revisited, rated, closed — for the monthly trend and the year-on-year figures. Replaying a year
of them would take minutes, so each historical case is a copy of a case the replay closed, moved
back in time by whole days to a day of the same kind (working day or not), with its timeline and
its assignments: every state, event and deadline is one the real actions wrote, only earlier.

What a copy gets: a number in the day's sequence (as ``cases.actions.numbering`` makes them, in
order of filing), a tracking token of its own, the timeline chained afresh (``hash`` and
``prev_hash``, so ``verify_audit`` holds), times inside the event data moved with it. What it does
not get: notifications, replies to the resident and the apps' reactions of the time (they were
read, sent and settled long ago); cases with attachments, extension requests or rows in other
apps are not used as models. The dashboard's rollups are rebuilt afterwards by the loader.

How many cases a day: the replay's rate, shaped by ``simulate.day_weight`` (heating complaints in
winter, noise in summer, fewer at weekends and around 春节 and 国庆).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from types import SimpleNamespace

from django.db import connection, transaction

from wangge.cases.choices import CaseStatus
from wangge.cases.models import Case, CaseAssignment, CaseEvent, CaseNumberSequence
from wangge.cases.models.case import new_tracking_token
from wangge.cases.models.event import event_hash
from wangge.cases.sla import LOCAL_TZ
from wangge.workdays.calendar import load_calendar

from . import data
from .builders import DemoWorld
from .simulate import _root_weight, day_weight

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_BATCH = 1000


def _shift(value, delta: dt.timedelta):
    """Event data with every timestamp in it moved by ``delta`` (the deadlines an event names)."""
    if isinstance(value, str) and _ISO.match(value):
        try:
            return (dt.datetime.fromisoformat(value) + delta).isoformat()
        except ValueError:
            return value
    if isinstance(value, dict):
        return {k: _shift(v, delta) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, delta) for v in value]
    return value


def _insert(model, fields: list, rows: list[dict]) -> None:
    """A plain multi-row INSERT of ``rows`` (dicts by attname): ``bulk_create`` spends most of
    its time preparing each field of each row generically, and a year of timelines is ~50,000 rows."""
    if not rows:
        return
    prepared = [f for f in fields if f.get_internal_type() in ("DateTimeField", "DateField", "JSONField")]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    values = []
    for row in rows:
        for f in prepared:
            row[f.attname] = f.get_db_prep_save(row[f.attname], connection)
        values.append([row[f.attname] for f in fields])
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def _poisson(rng: random.Random, mean: float) -> int:
    """A day's count around ``mean`` (Knuth's method for small means, normal for large ones)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, mean ** 0.5)))
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _models(case_ids: list[int]) -> list[Case]:
    """Closed replayed cases that can stand as models: nothing of theirs outside the timeline and
    the assignments (no attachment, extension request, access log, patrol finding, …)."""
    candidates = Case.objects.filter(pk__in=case_ids, status=CaseStatus.CLOSED, category__isnull=False)
    ids = set(candidates.values_list("pk", flat=True))
    for rel in Case._meta.related_objects:
        if rel.related_model in (Case, CaseEvent, CaseAssignment) or rel.many_to_many:
            continue
        ids -= set(rel.related_model._base_manager.filter(**{f"{rel.field.attname}__in": ids})
                   .values_list(rel.field.attname, flat=True))
    ids -= set(CaseEvent.objects.filter(case_id__in=ids, related_type__isnull=False).values_list("case_id", flat=True))
    return list(Case.objects.filter(pk__in=ids).order_by("pk"))


def plan_days(*, rng: random.Random, first: dt.date, until: dt.date, per_weight: float, calendar) -> dict[dt.date, int]:
    """How many cases each day in [first, until) had: ``per_weight`` × the day's weight, varied."""
    days = [first + dt.timedelta(days=i) for i in range((until - first).days)]
    return {day: _poisson(rng, per_weight * day_weight(day, calendar)) for day in days}


def build_history(*, world: DemoWorld, rng: random.Random, counts: dict[dt.date, int], model_ids: list[int],
                  progress: Callable[[dt.date, int], None] | None = None) -> int:
    """Copy replayed cases into the days of ``counts`` (local dates before the replay began).
    Returns the number of cases made."""
    models = _models(model_ids)
    if not models or not counts:
        return 0
    root_of = {leaf.pk: root for leaf, _spec, root in world.leaves}
    roots = {spec.code: spec for spec in data.CATEGORIES}
    # Models by (root category, working day?) so that a winter day gets a heating complaint
    # handled on a working day, and a Sunday gets a case that came in on a Sunday.
    calendar, workday = load_calendar(), {}

    def is_workday(day: dt.date) -> bool:
        if day not in workday:
            workday[day] = calendar.is_workday(day)[0]
        return workday[day]

    pools: dict[tuple, list[Case]] = defaultdict(list)
    for case in models:
        day = case.submitted_at.astimezone(LOCAL_TZ).date()
        for key in ((root_of.get(case.category_id), is_workday(day)), (None, is_workday(day)), (None, None)):
            pools[key].append(case)

    events: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in CaseEvent.objects.filter(case_id__in=[c.pk for c in models]).order_by("created_at", "pk"):
        events[event.case_id].append(event)
    assignments: dict[int, list[CaseAssignment]] = defaultdict(list)
    for a in CaseAssignment.objects.filter(case_id__in=[c.pk for c in models]).order_by("pk"):
        assignments[a.case_id].append(a)

    # Choose a model for each case of each day.
    chosen: list[tuple[Case, dt.timedelta]] = []
    for day, n in sorted(counts.items()):
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=LOCAL_TZ)
        weights = [_root_weight(spec, noon) for spec in data.CATEGORIES]
        for _ in range(n):
            root = rng.choices(list(roots), weights=weights)[0]
            pool = pools.get((root, is_workday(day))) or pools.get((None, is_workday(day))) or pools[(None, None)]
            model = rng.choice(pool)
            delta = dt.timedelta(days=(day - model.submitted_at.astimezone(LOCAL_TZ).date()).days)
            chosen.append((model, delta))
    chosen.sort(key=lambda item: item[0].submitted_at + item[1])

    case_fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    event_fields = [f for f in CaseEvent._meta.concrete_fields if not f.primary_key]
    assignment_fields = [f for f in CaseAssignment._meta.concrete_fields if not f.primary_key]
    moved = {f.attname for f in case_fields if f.get_internal_type() == "DateTimeField"}
    # Numbers go on from the day's sequence (a replayed showcase case may fall on such a day).
    sequence: Counter = Counter(dict(CaseNumberSequence.objects.filter(day__in=list(counts))
                                     .values_list("day", "last")))
    made = 0
    by_month: Counter = Counter()
    for i in range(0, len(chosen), _BATCH):
        batch = chosen[i:i + _BATCH]
        cases = []
        for model, delta in batch:
            row = {f.attname: getattr(model, f.attname) for f in case_fields}
            for name in moved:
                if row[name] is not None:
                    row[name] += delta
            day = row["submitted_at"].astimezone(LOCAL_TZ).date()
            sequence[day] += 1
            row.update(number=f"WG{day:%Y%m%d}-{sequence[day]:05d}", tracking_token=new_tracking_token(),
                       next_check_at=None, updated_at=row["closed_at"])
            cases.append(row)
            by_month[(day.year, day.month)] += 1
        with transaction.atomic():
            _insert(Case, case_fields, cases)
            pks = dict(Case.objects.filter(number__in=[r["number"] for r in cases]).values_list("number", "pk"))
            rows, links = [], []
            for row, (model, delta) in zip(cases, batch, strict=True):
                prev = ""
                for e in events[model.pk]:
                    copy = SimpleNamespace(**{f.attname: getattr(e, f.attname) for f in event_fields})
                    copy.case_id, copy.prev_hash = pks[row["number"]], prev
                    copy.created_at += delta
                    copy.data = _shift(e.data, delta)
                    copy.hash = prev = event_hash(copy, prev)
                    rows.append(vars(copy))
                for a in assignments[model.pk]:
                    link = {f.attname: getattr(a, f.attname) for f in assignment_fields}
                    link["case_id"] = pks[row["number"]]
                    for name in ("assigned_at", "reported_in_at", "ended_at"):
                        if link[name] is not None:
                            link[name] += delta
                    links.append(link)
            _insert(CaseEvent, event_fields, rows)
            _insert(CaseAssignment, assignment_fields, links)
        made += len(cases)
    # The numbering goes on from where the copies stopped (an app's late filing on such a day).
    CaseNumberSequence.objects.bulk_create(
        [CaseNumberSequence(day=day, last=last) for day, last in sequence.items()],
        update_conflicts=True, unique_fields=["day"], update_fields=["last"],
    )
    if progress:
        for (year, month), n in sorted(by_month.items()):
            progress(dt.date(year, month, 1), n)
    return made
