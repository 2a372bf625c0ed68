"""The dashboard bench's fixture (``benchmarks.dashboard``) writes its cases with raw SQL, not
through the actions; a column added to the case table without a default breaks it silently (it
did: ``idempotency_fingerprint`` stopped ``make bench`` at its first insert for three sessions).
This keeps it in step with the schema, at a size a test can afford."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from benchmarks import dashboard as bench
from wangge.cases.models import Case, CaseAssignment
from wangge.cases.selectors import cases_visible_to

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the bench fixture is PostgreSQL SQL"),
    pytest.mark.django_db(transaction=True),  # it vacuums, which no transaction may hold
]


def test_the_bench_fixture_fills_the_case_table_as_the_dashboard_reads_it():
    bench.insert_cases(300, io.StringIO())
    _district, grids, _categories, leader, _secretary = bench.build_territory()
    cases = Case.objects.filter(number__startswith=bench.PREFIX)
    assert cases.count() == 300
    assert cases.filter(grid__in=grids).count() == 300
    # Every case sent to a department has it as its 承办部门 and an active lead assignment:
    # the department rows of the dashboard and their 穿透 lists count them.
    dispatched = cases.filter(dispatched_at__isnull=False)
    assert dispatched.exists()
    assert not dispatched.filter(lead_department__isnull=True).exists()
    assert not cases.filter(dispatched_at__isnull=True, lead_department__isnull=False).exists()
    leads = CaseAssignment.objects.filter(case__in=dispatched, role="lead", active=True)
    assert set(leads.values_list("case_id", "department_id")) == set(dispatched.values_list("pk", "lead_department_id"))
    # The bench's district leader sees them all in the case list.
    assert cases_visible_to(leader).filter(number__startswith=bench.PREFIX).count() == 300
    # Topping up to the same size writes nothing more.
    assert bench.insert_cases(300, io.StringIO()) == 0.0
    assert cases.count() == 300
