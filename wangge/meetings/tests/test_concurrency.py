"""Two people record a decision on the same item at the same moment: one wins, the case is
escalated once (real parallel transactions on PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

from wangge.cases.choices import EventType
from wangge.cases.models import Case
from wangge.core.errors import InvalidState
from wangge.meetings import actions
from wangge.meetings.choices import Decision
from wangge.meetings.models import AgendaItem
from wangge.testing.concurrency import run_in_threads

from .conftest import open_meeting

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite has no concurrent writers"),
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_decisions_on_one_item_escalate_the_case_once(world, bimonthly, ledger_case):
    open_meeting(bimonthly, world.users["secretary_a"], ledger_case)
    item = bimonthly.items.get()
    deciders = [world.users["secretary_a"], world.users["leader"]]

    results = run_in_threads(2, lambda i: actions.decide_item(
        item=AgendaItem.objects.get(pk=item.pk), actor=deciders[i], decision=Decision.UNSOLVABLE,
        outcome=f"无法解决 {i}"))

    assert sum(isinstance(r, AgendaItem) for r in results) == 1
    assert sum(isinstance(r, InvalidState) for r in results) == 1
    case = Case.objects.get(pk=ledger_case.pk)
    assert case.events.filter(type=EventType.ESCALATED).count() == 1 and case.star == 3
