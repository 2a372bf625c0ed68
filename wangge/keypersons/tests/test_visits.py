"""Visits: the exact monthly coverage, what is due and overdue, the overdue notices (to the
worker; to the chief when the worker is absent or very late), help needed → a case or a need."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wangge.cases.choices import Channel
from wangge.cases.models import Case
from wangge.keypersons import actions, periods, selectors
from wangge.keypersons.choices import HelpNeeded, VisitFrequency
from wangge.keypersons.errors import BadKeyPersonInput
from wangge.keypersons.models import KeyPerson, KeyPersonTag
from wangge.notifications.models import Notification

from .conftest import local


def _visit(world, person, at, who="worker_a1", **extra):
    return actions.record_visit(actor=world.users[who], person=person, visited_at=at, found="在家，身体尚可",
                                now=at + dt.timedelta(hours=1), **extra)


def _months():
    """(year, month) of last month, and the day two months before it."""
    today = periods.local_day(timezone.now())
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.year, last.month, (last.replace(day=1) - dt.timedelta(days=40)).replace(day=1)


def test_monthly_coverage_counts_exactly(world, register, tags, client):
    y, m, long_ago = _months()
    start = local(long_ago.year, long_ago.month, 1)
    first, last = dt.date(y, m, 1), periods.month_end(dt.date(y, m, 1))
    KeyPersonTag.objects.filter(code="needy").update(frequency=VisitFrequency.HALF_MONTHLY)

    twice = register(registered_at=start, name="甲")
    _visit(world, twice, local(y, m, 5))
    _visit(world, twice, local(y, m, last.day, 23, 30))  # the same window: counts once
    register(registered_at=start, name="乙", phone="")  # never visited
    before = register(registered_at=start, name="丙", phone="")
    prev = first - dt.timedelta(days=1)
    _visit(world, before, local(prev.year, prev.month, prev.day, 12))  # the month before only
    after_midnight = register(registered_at=start, name="丁", phone="")
    nxt = last + dt.timedelta(days=1)
    _visit(world, after_midnight, local(nxt.year, nxt.month, nxt.day, 0, 10))  # next month, 00:10 Beijing
    register(registered_at=timezone.make_aware(dt.datetime.combine(nxt, dt.time(9))), name="戊", phone="")  # too late
    half = register(registered_at=start, name="己", phone="", tag="needy")
    _visit(world, half, local(y, m, 3))  # first half done, second half missed
    gone = register(registered_at=start, name="庚", phone="")
    actions.retire_key_person(actor=world.users["secretary_a"], person=gone, reason="搬走")
    KeyPerson.objects.filter(pk=gone.pk).update(retired_at=local(long_ago.year, long_ago.month, 2))
    other = register(registered_at=start, name="辛", phone="", grid=world.grids[1], worker=None)
    _visit(world, other, local(y, m, 20), who="secretary_a")

    rows, total = selectors.coverage(world.users["secretary_a"], year=y, month=m, by="worker")
    got = {r.label: (r.expected, r.done, r.missing) for r in rows}
    assert got == {"worker_a1": (6, 2, 4), "—": (1, 1, 0)}
    assert (total.expected, total.done, total.missing) == (7, 3, 4)
    rows, _ = selectors.coverage(world.users["secretary_a"], year=y, month=m, by="grid")
    assert {r.label: (r.expected, r.done) for r in rows} == {world.grids[0].name: (6, 2), world.grids[1].name: (1, 1)}
    rows, _ = selectors.coverage(world.users["secretary_a"], year=y, month=m, by="community")
    assert [(r.label, r.expected, r.done) for r in rows] == [(world.communities[0].name, 7, 3)]
    assert selectors.coverage(world.users["secretary_b"], year=y, month=m)[1].expected == 0

    client.force_login(world.users["secretary_a"])
    data = client.get("/api/v1/keypersons/coverage/", {"month": f"{y}-{m:02d}", "by": "grid"}).json()
    assert (data["total"]["expected"], data["total"]["done"], data["total"]["missing"]) == (7, 3, 4)
    assert client.get("/api/v1/keypersons/coverage/", {"month": "2026-13"}).status_code == 400
    client.force_login(world.users["worker_a1"])
    assert client.get("/api/v1/keypersons/coverage/").status_code == 403


def _overdue_person(register):
    _y, _m, long_ago = _months()
    return register(registered_at=local(long_ago.year, long_ago.month, 1))


def _notices(user):
    return list(Notification.objects.filter(recipient=user, kind=actions.KIND_OVERDUE))


def test_an_overdue_visit_is_flagged_to_the_worker(world, register, settings):
    settings.WANGGE_KEYPERSON_CHIEF_GRACE_DAYS = 400
    person = _overdue_person(register)
    due = selectors.due_list([person], today=periods.local_day(timezone.now()))[0]
    assert due.status == "overdue"
    assert actions.notify_overdue() == 1
    assert len(_notices(world.users["worker_a1"])) == 1 and _notices(world.users["chief_a1"]) == []
    assert actions.notify_overdue() == 0  # once per missed window


def test_the_chief_is_told_when_the_worker_is_absent(world, register, settings):
    settings.WANGGE_KEYPERSON_CHIEF_GRACE_DAYS = 400
    _overdue_person(register)
    worker = world.users["worker_a1"]
    worker.is_active = False
    worker.save(update_fields=["is_active"])
    actions.notify_overdue()
    assert _notices(worker) == [] and len(_notices(world.users["chief_a1"])) == 1


def test_the_chief_is_told_when_the_visit_is_late_past_the_grace(world, register, settings):
    settings.WANGGE_KEYPERSON_CHIEF_GRACE_DAYS = -1
    _overdue_person(register)
    actions.notify_overdue()
    assert len(_notices(world.users["worker_a1"])) == 1 and len(_notices(world.users["chief_a1"])) == 1


def test_a_person_visited_in_this_window_is_not_overdue(world, register):
    person = _overdue_person(register)
    actions.record_visit(actor=world.users["worker_a1"], person=person, found="ok")
    assert selectors.due_list([person], today=periods.local_day(timezone.now()))[0].status == "done"
    assert actions.notify_overdue() == 0


def test_help_needed_opens_a_patrol_case_in_the_persons_grid(world, register):
    person = register()
    visit = actions.record_visit(actor=world.users["worker_a1"], person=person, found="楼道灯坏了",
                                 help_needed=HelpNeeded.CASE, need_note="楼道灯坏了，老人夜里看不见")
    case = Case.objects.get()
    assert visit.case == case
    assert (case.channel, case.grid_id, case.created_by) == (Channel.PATROL, world.grids[0].pk, world.users["worker_a1"])
    assert "501" not in case.description + case.address  # the person's address is not copied


def test_a_service_need_is_noted_without_a_case(world, register):
    person = register()
    visit = actions.record_visit(actor=world.users["worker_a1"], person=person, help_needed=HelpNeeded.SERVICE,
                                 need_note="需要助餐服务")
    assert visit.case is None and visit.need_note == "需要助餐服务" and Case.objects.count() == 0


def test_visit_refusals(world, register):
    person = register()
    with pytest.raises(BadKeyPersonInput):
        actions.record_visit(actor=world.users["worker_a1"], person=person, visited_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(BadKeyPersonInput):
        actions.record_visit(actor=world.users["worker_a1"], person=person, mood="ecstatic")
    with pytest.raises(BadKeyPersonInput):
        actions.record_visit(actor=world.users["worker_a1"], person=person, help_needed=HelpNeeded.CASE)
    from wangge.core.errors import NotFound

    with pytest.raises(NotFound):
        actions.record_visit(actor=world.users["worker_b1"], person=person)
    assert person.visits.count() == 0 and Case.objects.count() == 0


def test_a_visit_publishes_its_event_for_the_needs_app(world, register):
    from wangge.core.events import Mode, subscribe, unsubscribe
    from wangge.keypersons import events

    heard = []
    sub = subscribe(events.VISITED, heard.append, mode=Mode.ATOMIC, key="test.kp.visited")
    try:
        person = register()
        actions.record_visit(actor=world.users["worker_a1"], person=person, help_needed=HelpNeeded.SERVICE,
                             need_note="需要助餐服务")
    finally:
        unsubscribe(sub.key)
    assert [(e.payload["help_needed"], e.payload["need_note"], e.payload["resident_id"]) for e in heard] == [
        ("service", "需要助餐服务", person.resident_id)]
