"""A refresh racing with case changes, on PostgreSQL with real parallel transactions.

The refresh reads the changed cases once (its "keyed" snapshot) and works from it. A change that
commits after that snapshot is not in this refresh; it must be in the next one (its
``updated_at`` is within the look-back even when it was saved before the refresh began), and it
must be counted once, never twice. A case deleted after the snapshot is queued by its deletion
and taken out by the next refresh.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from wangge.audit.maintenance import audit_maintenance
from wangge.cases import actions
from wangge.cases.models import Case
from wangge.dashboard import rollup
from wangge.dashboard.models import DailyCaseStats, DeletedCase
from wangge.testing.concurrency import run_in_threads

from .test_rollup import _assert_as_rebuilt

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: SQLite has no concurrent writers, so there is no race to test"),
    pytest.mark.django_db(transaction=True),
]

TIMEOUT = 20


def _closed() -> int:
    return sum(DailyCaseStats.objects.filter(dim="", monthly=False).values_list("st_closed", flat=True))


def _pause_after_the_snapshot(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """The refresh stops right after reading the changed cases until ``go`` is set; ``taken`` is
    set when it gets there."""
    taken, go = threading.Event(), threading.Event()
    fill_delta = rollup._fill_delta

    def paused():
        taken.set()
        assert go.wait(TIMEOUT)
        fill_delta()

    monkeypatch.setattr(rollup, "_fill_delta", paused)
    return taken, go


def test_a_change_saved_before_a_refresh_and_committed_during_it_is_counted_once(cases, world, monkeypatch):
    rollup.refresh_stats()
    assert _closed() == 1
    taken, go = _pause_after_the_snapshot(monkeypatch)
    saved = threading.Event()

    def close_slowly():
        # Saved (updated_at) before the refresh starts, committed after it read the cases.
        with transaction.atomic():
            actions.close_case(case=Case.objects.get(pk=cases["c2"].pk), actor=world.users["clerk"])
            saved.set()
            assert taken.wait(TIMEOUT)
        go.set()

    def refresh():
        assert saved.wait(TIMEOUT)
        return rollup.refresh_stats()

    closer, refreshed = run_in_threads(2, lambda i: [close_slowly, refresh][i]())
    assert closer is None and isinstance(refreshed, rollup.RefreshResult), (closer, refreshed)
    assert _closed() == 1  # not seen by that refresh…
    monkeypatch.undo()
    rollup.refresh_stats()
    assert _closed() == 2  # …but by the next one (the look-back), once
    rollup.refresh_stats()
    assert _closed() == 2
    _assert_as_rebuilt()


def test_a_case_deleted_during_a_refresh_is_taken_out_by_the_next(cases, world, monkeypatch):
    rollup.refresh_stats()
    taken, go = _pause_after_the_snapshot(monkeypatch)
    gone = cases["c4"]

    def delete():
        assert taken.wait(TIMEOUT)
        with audit_maintenance():
            Case.objects.filter(pk=gone.pk).delete()
        go.set()

    deleted, refreshed = run_in_threads(2, lambda i: [delete, rollup.refresh_stats][i]())
    assert deleted is None and isinstance(refreshed, rollup.RefreshResult), (deleted, refreshed)
    # That refresh read the case before it went, and stored its contribution again; the deletion
    # queued it, so the next refresh takes it out.
    assert list(DeletedCase.objects.values_list("case_id", flat=True)) == [gone.pk]
    monkeypatch.undo()
    rollup.refresh_stats()
    assert not DeletedCase.objects.exists()
    _assert_as_rebuilt()


def test_refreshes_at_once_take_turns(cases, world):
    rollup.refresh_stats()
    actions.close_case(case=cases["c2"], actor=world.users["clerk"])
    actions.accept_case(case=cases["c4"], actor=world.users["clerk"])
    results = run_in_threads(3, lambda i: rollup.refresh_stats())
    assert all(isinstance(r, rollup.RefreshResult) for r in results), results
    _assert_as_rebuilt()
