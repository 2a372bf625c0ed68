"""穿透 lists at city scale: the list behind a figure reads a page, not the figure's every case."""

import pytest
from django.db import connection

from wangge.cases.filtersets import CaseFilterSet
from wangge.cases.models import Case
from wangge.cases.selectors import cases_visible_to
from wangge.dashboard.drill import Drill
from wangge.dashboard.selectors import SUPERVISE


@pytest.mark.skipif(connection.vendor != "postgresql", reason="index plans are PostgreSQL's")
def test_the_supervise_list_reads_the_overdue_cases_newest_first_from_their_own_index(world):
    """督办 from the dashboard opens the case list of every overdue open case, newest first. With
    tens of thousands overdue (a city's backlog), gathering and sorting them all for a page of 50
    took over a second at 4,000,000 cases; the partial index of red open cases by filing time
    gives the page in the list's own order."""
    leader = world.users["leader"]
    params = {"figure": SUPERVISE}
    listed = CaseFilterSet(data=params, queryset=cases_visible_to(leader)).qs
    listed = Drill.from_params(leader, params).narrow(listed)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = listed.order_by("-submitted_at", "-pk")[:50].explain()
    assert "case_overdue_by_filing" in plan, plan
    assert any(i.name == "case_overdue_by_filing" for i in Case._meta.indexes)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="index plans are PostgreSQL's")
def test_a_departments_overdue_cases_are_counted_from_its_own_index(world):
    """The dashboard of one department counts its 督办 (open red) cases exactly, and those still
    in its hands only: from the index of the cases it holds now, which carries their light — not
    from every red case's row, nor through the assignments (which hold every case it ever led:
    a department officer's dashboard took a second at 1,000,000 cases)."""
    from wangge.dashboard.selectors import Selection, make_period, supervised

    sel = Selection(user=world.users["leader"], period=make_period(None), department=world.departments["chengguan"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = supervised(sel).order_by().values("pk").explain()
    # One of the partial indexes of the cases in hand or overdue (which one, on a table this small,
    # is the planner's choice), never the whole table.
    assert any(name in plan for name in ("case_held_by_department", "case_red_open_by_department",
                                         "dashboard_case_overdue", "case_overdue_by_filing")), plan
    # The leader's own assignments are read (their visibility), not the department's leads.
    assert not any(name in plan for name in ("one_active_lead_per_case", "caseassignment_department", "casea_departm")), plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting")
def test_a_department_officers_overdue_count_leaves_the_planner_as_it_found_it(world):
    """An officer's 督办 count turns bitmap scans off for itself only (the planner misjudges the
    AND of two partial indexes there); the rest of the dashboard's transaction plans as before."""
    from django.db import transaction

    from wangge.cases.choices import CaseStatus
    from wangge.dashboard.selectors import Selection, make_period, standing_total
    from wangge.testing import case_in_state

    case_in_state(world, CaseStatus.DISPATCHED)
    sel = Selection(user=world.users["chengguan"], period=make_period(None))
    with transaction.atomic(), connection.cursor() as cursor:
        assert standing_total(sel, "overdue") == 0
        cursor.execute("SHOW enable_bitmapscan")
        assert cursor.fetchone()[0] == "on"
