"""Following a table in batches: every row handled once, gaps waited for, then passed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wangge.core.followers import follow_new_rows, reset_follower
from wangge.core.models import FollowerMark, PeriodicJobState

pytestmark = pytest.mark.django_db

NAME = "test.follower"


def _rows(*names):
    """Rows of a small core table (any table with an id will do)."""
    return [PeriodicJobState.objects.create(name=n) for n in names]


def _follow(seen, **kwargs):
    return follow_new_rows(NAME, PeriodicJobState.objects.all(), handle=lambda rows: seen.extend(r.name for r in rows),
                           **kwargs)


def test_each_row_is_handled_once_in_id_order_and_in_batches():
    _rows("a", "b", "c")
    seen = []
    assert _follow(seen, batch=2) == 2 and _follow(seen, batch=2) == 1 and _follow(seen, batch=2) == 0
    assert seen == ["a", "b", "c"]
    _rows("d")
    assert _follow(seen) == 1 and seen[-1] == "d"


def test_a_gap_is_waited_for_and_the_rows_past_it_are_not_handled_twice():
    a, b, c = _rows("a", "b", "c")
    b.delete()  # as if b's transaction had not committed yet: a gap between a and c
    seen = []
    assert _follow(seen) == 2
    mark = FollowerMark.objects.get(name=NAME)
    assert mark.last_id == a.pk and mark.done_above == [c.pk]
    assert _follow(seen) == 0 and seen == ["a", "c"]  # c is remembered, not handled again
    # Once the gap has been waited for longer than the grace period, it is taken as a rollback.
    assert _follow(seen, now=timezone.now() + dt.timedelta(minutes=1)) == 0
    assert FollowerMark.objects.get(name=NAME).last_id == a.pk
    later = timezone.now() + dt.timedelta(minutes=10)
    assert _follow(seen, now=later) == 0
    mark.refresh_from_db()
    assert mark.last_id == c.pk and mark.done_above == []


def test_a_row_committed_late_into_its_gap_is_still_handled():
    a, b, c = _rows("a", "b", "c")
    late_pk = b.pk
    b.delete()
    seen = []
    _follow(seen)
    PeriodicJobState.objects.create(pk=late_pk, name="late")
    assert _follow(seen) == 1 and seen == ["a", "c", "late"]
    assert FollowerMark.objects.get(name=NAME).last_id == c.pk


def test_reset_reads_the_table_again():
    _rows("a")
    seen = []
    _follow(seen)
    reset_follower(NAME)
    _follow(seen)
    assert seen == ["a", "a"]
