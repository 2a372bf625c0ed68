"""Real parallel transactions on PostgreSQL: resends of one check-in at once, two workers filling
one slot at once, parallel slot generation. Skipped on SQLite (no concurrent writers)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from wangge.org.models import User
from wangge.patrols import actions
from wangge.patrols.choices import SlotStatus
from wangge.patrols.models import CheckIn, PatrolPoint, VisitSlot
from wangge.patrols.windows import today
from wangge.testing.concurrency import run_in_threads

from .conftest import point_in, visit

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: real parallel transactions"),
    pytest.mark.django_db(transaction=True),
]


def test_parallel_resends_of_one_check_in_store_it_once(world):
    point = point_in(world)
    client_id = uuid.uuid4()
    worker = world.users["worker_a1"]

    def send(i):
        return visit(world, PatrolPoint.objects.get(pk=point.pk), worker=User.objects.get(pk=worker.pk),
                     client_id=client_id)

    results = run_in_threads(4, send)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.created for r in results) == 1 and len({r.checkin.pk for r in results}) == 1
    assert CheckIn.objects.count() == 1


def test_two_workers_at_one_point_fill_its_slot_once(world):
    from wangge.org.choices import Role
    from wangge.testing.factories import make_user

    point = point_in(world)
    make_user(Role.GRID_WORKER, region=world.grids[0], username="worker_a1b")
    names = ["worker_a1", "worker_a1b"]
    results = run_in_threads(2, lambda i: visit(world, PatrolPoint.objects.get(pk=point.pk),
                                                worker=User.objects.get(username=names[i])))
    assert not [r for r in results if isinstance(r, Exception)], results
    slot = VisitSlot.objects.get(point=point)
    assert slot.status == SlotStatus.DONE and slot.checkin_id in {r.checkin.pk for r in results}
    assert CheckIn.objects.filter(slot=slot).count() == 2


def test_parallel_schedule_runs_make_one_slot_per_window(world):
    point_in(world)
    point_in(world, name="second")
    results = run_in_threads(3, lambda i: actions.run_schedule())
    assert not [r for r in results if isinstance(r, Exception)], results
    assert VisitSlot.objects.filter(window_start=today()).count() == 2
    assert VisitSlot.objects.values("point", "window_start").distinct().count() == VisitSlot.objects.count()


def test_two_copies_of_a_finding_at_once_store_one_finding_and_one_case(world):
    """The form sent twice at once (a double tap, the offline queue resending on a bad signal):
    each copy found no finding under its token and both filed a case; the second copy's case met
    the first's external id and failed. Now the loser's case and notice are rolled back and it
    returns the finding the first copy stored."""
    from wangge.cases.models import Case
    from wangge.notifications.models import Notification
    from wangge.patrols.choices import FindingClass
    from wangge.patrols.models import Finding

    checkin = visit(world, point_in(world)).checkin
    worker, client_id = world.users["worker_a1"], uuid.uuid4()

    def send(i):
        return actions.report_finding(actor=User.objects.get(pk=worker.pk), checkin=CheckIn.objects.get(pk=checkin.pk),
                                      description="井盖松动", handling_class=FindingClass.COORDINATION,
                                      client_id=client_id)

    results = run_in_threads(3, send)
    assert not [r for r in results if isinstance(r, Exception)], results
    finding = Finding.objects.get()
    assert {r.pk for r in results} == {finding.pk} and finding.client_id == client_id
    assert Case.objects.get() == finding.case
    # The community's secretary is told once, not once per copy.
    assert Notification.objects.filter(kind=actions.NOTIFY_FINDING).count() == 1
