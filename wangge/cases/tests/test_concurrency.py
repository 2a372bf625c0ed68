"""Real parallel transactions on PostgreSQL: threads, each with its own database connection.

SQLite serialises every write on one file lock, so these races cannot happen there (and cannot be
tested there): the tests are skipped on SQLite.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import pytest
from django.db import connection

from wangge.cases import actions, permissions
from wangge.cases.actions import Target
from wangge.cases.choices import CaseLevel, CaseStatus, Channel, EventType
from wangge.cases.errors import InvalidTransition
from wangge.cases.models import Case, CaseEvent
from wangge.cases.tasks import run_sweep
from wangge.org.models import User
from wangge.testing import file_case, make_category
from wangge.testing.concurrency import run_in_threads  # noqa: E402

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite has no concurrent writers, so there is no race to test",
    ),
    pytest.mark.django_db(transaction=True),
]


def slowed(monkeypatch, module, name: str, seconds: float) -> None:
    """Make ``module.name`` sleep first, so that parallel transactions really overlap."""
    original = getattr(module, name)

    def slow(*args, **kwargs):
        time.sleep(seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)


def test_two_clerks_dispatch_the_same_case_at_once(world, monkeypatch):
    case = actions.accept_case(
        case=file_case(world, category=make_category(department=world.departments["chengguan"])),
        actor=world.users["clerk"],
    )
    # Each clerk holds the row lock a while before deciding: the other must wait, then see the
    # case already dispatched.
    slowed(monkeypatch, permissions, "require", 0.3)
    targets = [world.departments["chengguan"], world.departments["huanwei"]]

    def dispatch(i: int):
        clerk = User.objects.get(username=["clerk", "clerk2"][i])
        return actions.dispatch_case(case=Case.objects.get(pk=case.pk), actor=clerk,
                                     lead=Target(department=targets[i]))

    started = time.monotonic()
    results = run_in_threads(2, dispatch)
    elapsed = time.monotonic() - started
    won = [r for r in results if isinstance(r, Case)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], InvalidTransition), repr(lost[0])
    assert "dispatched" in str(lost[0].message) or "派" in str(lost[0].message)
    assert elapsed >= 0.55, "the second dispatch must have waited for the first one's lock"
    assert CaseEvent.objects.filter(case=case, type=EventType.DISPATCHED).count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
    assert case.assignments.filter(active=True).count() == 1


def test_four_sweep_workers_escalate_each_case_exactly_once(world, monkeypatch):
    clerk = world.users["clerk"]
    category = make_category(department=world.departments["pingan"])
    numbers = []
    for i in range(24):
        case = actions.accept_case(case=file_case(world, category=category), actor=clerk)
        actions.dispatch_case(case=case, actor=clerk, lead=Target(department=world.departments["pingan"]))
        numbers.append(case.number)
    overdue_at = Case.objects.order_by("-resolve_due_at").first().resolve_due_at + dt.timedelta(seconds=1)
    slowed(monkeypatch, actions, "check_deadline", 0.01)

    results = run_in_threads(4, lambda i: run_sweep(now=overdue_at, batch_size=4))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.escalated for r in results) == 24
    assert sum(1 for r in results if r.escalated) >= 2, "the workers should have shared the work"
    per_case = Counter(CaseEvent.objects.filter(type=EventType.ESCALATED).values_list("case__number", flat=True))
    assert per_case == Counter({n: 1 for n in numbers})
    assert set(Case.objects.values_list("current_level", flat=True)) == {CaseLevel.DISTRICT}
    # And again, all four at once: nothing left to do.
    again = run_in_threads(4, lambda i: run_sweep(now=overdue_at, batch_size=4))
    assert sum(r.escalated for r in again) == 0


def test_concurrent_intake_numbers_are_unique_and_contiguous(world):
    filed_at = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Beijing
    lng, lat = world.point_in(world.grids[0])

    def intake(i: int) -> list[str]:
        clerk = User.objects.get(username="clerk")
        return [
            actions.create_case(actor=clerk, channel=Channel.HOTLINE, description=f"来电 {i}-{k}",
                                longitude=lng, latitude=lat, submitted_at=filed_at).number
            for k in range(10)
        ]

    results = run_in_threads(8, intake)
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = [n for batch in results for n in batch]
    assert len(numbers) == len(set(numbers)) == 80
    assert sorted(numbers) == [f"WG20261124-{k:05d}" for k in range(1, 81)]


def test_concurrent_retries_of_one_report_file_one_case(world):
    """A channel that retries before the first attempt answered (a WeChat server resends after
    5 s; a 12345 push is re-sent on a timeout): six attempts at once file one case, every attempt
    gets its number, and no case number is used up by the losers."""
    from wangge.core.actors import Actor

    lng, lat = world.point_in(world.grids[0])

    def attempt(i):
        case = actions.create_case(
            actor=Actor.of_integration("12345"), channel=Channel.HOTLINE_12345, description="楼道堆物",
            longitude=lng, latitude=lat, source="12345", external_id="BJ20261129-7788")
        return case.number

    numbers = run_in_threads(6, attempt)
    assert not [n for n in numbers if isinstance(n, Exception)], numbers
    assert len(set(numbers)) == 1
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(type=EventType.CREATED).count() == 1
    again = file_case(world)
    assert again.number.endswith("-00002")
