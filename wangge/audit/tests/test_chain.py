"""The timeline is a hash chain per case: each row sealed with a hash over its content and the
hash of the row before it; ``manage.py verify_audit`` recomputes the chains and names every case
whose record was changed behind the application's back."""

from __future__ import annotations

import datetime as dt
import importlib
from io import StringIO
from itertools import pairwise

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override

from wangge.cases import actions
from wangge.cases.actions import Target
from wangge.cases.choices import CaseStatus, EventType
from wangge.cases.events import record_event
from wangge.cases.models import CaseEvent
from wangge.cases.tasks import run_sweep
from wangge.testing import case_in_state, file_case, make_category

from .helpers import as_a_new_request, behind_the_back, event_reads

pytestmark = pytest.mark.django_db

migration = importlib.import_module("wangge.cases.migrations.0013_event_hash_chain")


def verify(*args, language="en") -> tuple[int, str]:
    """(exit code, output) of ``manage.py verify_audit``."""
    out = StringIO()
    with override(language):
        try:
            call_command("verify_audit", *args, stdout=out)
        except CommandError as exc:
            return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def test_each_event_is_sealed_and_follows_the_one_before_it_on_its_case(world):
    case = case_in_state(world, CaseStatus.RESOLVED)
    other = file_case(world)

    rows = list(CaseEvent.objects.filter(case=case).order_by("pk"))
    assert [rows[0].type, rows[0].prev_hash] == [EventType.CREATED, ""]
    assert all(after.prev_hash == before.hash for before, after in pairwise(rows))
    assert all(len(row.hash) == 64 and row.hash == row.compute_hash() for row in rows)  # from the stored row
    assert CaseEvent.objects.get(case=other).prev_hash == ""
    code, output = verify()
    assert code == 0 and "The record is whole" in output


def test_a_row_changed_behind_the_applications_back_is_named_with_its_case(world):
    case = case_in_state(world, CaseStatus.DISPATCHED)
    untouched = case_in_state(world, CaseStatus.ACCEPTED)
    accepted = case.events.get(type=EventType.ACCEPTED)
    with behind_the_back() as cursor:
        cursor.execute("UPDATE cases_caseevent SET note = %s WHERE id = %s", ["从未受理", accepted.pk])

    code, output = verify()
    assert code == 1
    assert f"Case {case.number}, event {accepted.pk}: its content does not match its hash" in output
    assert untouched.number not in output
    assert "1 break in the record" in output
    assert verify("--case", untouched.number)[0] == 0
    assert verify("--case", case.number)[0] == 1

    code, output = verify(language="zh-hans")
    assert code == 1 and f"案件 {case.number}" in output


def test_a_removed_event_breaks_the_chain_where_it_was(world):
    case = case_in_state(world, CaseStatus.IN_PROGRESS)
    rows = list(case.events.order_by("pk"))
    emptied = file_case(world)
    with behind_the_back() as cursor:
        cursor.execute("DELETE FROM cases_caseevent WHERE id = %s", [rows[1].pk])
        cursor.execute("DELETE FROM cases_caseevent WHERE case_id = %s", [emptied.pk])

    code, output = verify()
    assert code == 1
    assert f"Case {case.number}, event {rows[2].pk}: it does not follow the event before it" in output
    assert f"Case {emptied.number}: the case has no timeline" in output


def test_an_event_inserted_around_the_application_is_reported(world):
    case = case_in_state(world, CaseStatus.ACCEPTED)
    with behind_the_back() as cursor:
        cursor.execute(
            "INSERT INTO cases_caseevent (case_id, type, actor_kind, created_at, from_status, to_status, data, note,"
            " public, hash, prev_hash) VALUES (%s, 'closed', 'system', %s, '', 'closed', '{}', '', true, '', 'x')",
            [case.pk, timezone.now()],
        )
    code, output = verify("--case", case.number)
    assert code == 1 and "it has no hash" in output


def test_no_two_events_may_follow_the_same_one(world):
    """A writer that read a stale tail fails instead of forking the chain."""
    case = case_in_state(world, CaseStatus.ACCEPTED)
    last = case.events.order_by("-pk").first()
    fork = CaseEvent(case=case, type=EventType.URGED, actor_kind="system", created_at=timezone.now(),
                     prev_hash=last.prev_hash)
    fork.hash = fork.compute_hash()
    with pytest.raises(IntegrityError), transaction.atomic():
        fork.save()


def test_an_event_rolled_back_is_not_the_one_the_next_follows(world):
    case = case_in_state(world, CaseStatus.DISPATCHED)
    leader = world.users["leader"]
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.urge_case(case=case, actor=leader, note="第一次")
        raise RuntimeError("the request failed after the event was written")
    actions.urge_case(case=case, actor=leader, note="第二次")
    assert verify("--case", case.number)[0] == 0


def test_the_chain_costs_no_query_on_intake_and_one_per_case_and_transaction(world):
    """Filing writes the first row: nothing to look up. The first action on a case in a
    transaction reads its last hash once; the next ones in that transaction read none."""
    clerk = world.users["clerk"]
    category = make_category(department=world.departments["chengguan"])
    with CaptureQueriesContext(connection) as filing:
        case = file_case(world, category=category)
    assert event_reads(filing) == []
    with CaptureQueriesContext(connection) as same_transaction:
        case = actions.accept_case(case=case, actor=clerk)
    assert event_reads(same_transaction) == []

    as_a_new_request()
    with CaptureQueriesContext(connection) as two_actions, transaction.atomic():
        case = actions.dispatch_case(case=case, actor=clerk, lead=Target(department=world.departments["chengguan"]))
        actions.urge_case(case=case, actor=world.users["leader"])
    assert len(event_reads(two_actions)) == 1
    assert verify("--case", case.number)[0] == 0


def test_the_sweep_chains_its_batch_with_one_read_for_the_batch(world):
    category = make_category(department=world.departments["chengguan"])
    cases = [file_case(world, category=category) for _ in range(3)]
    actions.accept_case(case=cases[0], actor=world.users["clerk"])
    as_a_new_request()
    with CaptureQueriesContext(connection) as sweep:
        result = run_sweep(now=timezone.now() + dt.timedelta(days=30))
    assert result.batches == 1 and CaseEvent.objects.filter(type=EventType.LIGHT_CHANGED).count() >= 3
    assert len(event_reads(sweep)) == 1
    assert verify()[0] == 0


def test_the_migration_chains_the_events_written_before_it(world, monkeypatch):
    cases = [case_in_state(world, CaseStatus.DISPATCHED), case_in_state(world, CaseStatus.ACCEPTED), file_case(world)]
    sealed = dict(CaseEvent.objects.values_list("pk", "hash"))
    with behind_the_back() as cursor:
        cursor.execute("UPDATE cases_caseevent SET hash = '', prev_hash = id")  # unique per case meanwhile
    monkeypatch.setattr(migration, "CASES", 2)  # cases in more than one batch

    with behind_the_back():  # the migration runs before the append-only triggers exist
        migration.chain_events(django_apps, None)

    assert dict(CaseEvent.objects.values_list("pk", "hash")) == sealed  # the same form as the writer's
    assert CaseEvent.objects.filter(case=cases[2]).get().prev_hash == ""
    assert verify()[0] == 0


def test_data_is_hashed_as_it_reads_back_from_the_database(world):
    """Tuples come back as lists, number keys as strings, 1.0 may come back as 1: the hash written
    before the INSERT is the one recomputed from the stored row."""
    case = case_in_state(world, CaseStatus.ACCEPTED)
    with transaction.atomic():
        record_event(case, EventType.URGED, actor=world.users["leader"], note="催办 =1+1",
                     data={"n": 1.0, "pair": (2, "x"), 3: "三", "nested": {"b": [0.5], "a": None}},
                     related=world.grids[0])
    assert verify("--case", case.number)[0] == 0
