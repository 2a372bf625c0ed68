"""The domain-event bus on its own: when each kind of subscriber hears an event."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from wangge.core.events import DomainEvent, Mode, define_event, publish, run_pending_reactions, subscribe, unsubscribe
from wangge.core.models import PendingReaction

pytestmark = pytest.mark.django_db

define_event("test_happened", label="test", doc="used by these tests only")


def _event(key="t:1") -> DomainEvent:
    return DomainEvent(name="test_happened", subject="core.test", subject_id=1, key=key,
                       occurred_at=timezone.now(), payload={"n": 1})


@pytest.fixture
def heard():
    log: list[tuple[str, str]] = []
    keys = []
    for mode in (Mode.ATOMIC, Mode.COMMIT, Mode.TASK, Mode.DURABLE):
        keys.append(subscribe("test_happened", lambda e, m=mode: log.append((m, e.key)), mode=mode,
                              key=f"test.{mode}").key)
    yield log
    for key in keys:
        unsubscribe(key)


def test_each_mode_hears_at_its_moment(heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            publish(_event())
            assert heard == [(Mode.ATOMIC, "t:1")]  # inside the transaction: only the atomic one
            assert PendingReaction.objects.filter(subscriber="test.durable").count() == 1
    # after commit: the in-process one, the task (the test backend runs it at once), the durable
    # one through its reaction row
    assert sorted(m for m, _k in heard) == sorted([Mode.ATOMIC, Mode.COMMIT, Mode.TASK, Mode.DURABLE])
    assert not PendingReaction.objects.exists()


def test_a_rolled_back_change_tells_nobody_after_commit(heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            publish(_event())
            raise RuntimeError("the action failed")
    assert heard == [(Mode.ATOMIC, "t:1")]  # it ran inside, and was rolled back with the rest
    assert not PendingReaction.objects.exists()
    assert run_pending_reactions() == 0


def test_an_undefined_event_is_a_programming_error():
    with pytest.raises(ValueError):
        publish(DomainEvent(name="never_defined", subject="x", subject_id=1, key="k", occurred_at=timezone.now()))


def test_events_survive_a_round_trip_through_json():
    event = _event()
    assert DomainEvent.from_json(event.as_json()) == event


def test_a_subscriber_hears_only_the_occurrences_its_when_accepts(django_capture_on_commit_callbacks):
    log = []
    keys = [subscribe("test_happened", lambda e, m=mode: log.append((m, e.key)), mode=mode, key=f"test.when.{mode}",
                      when=lambda e: e.payload.get("n") == 2).key
            for mode in (Mode.ATOMIC, Mode.COMMIT, Mode.DURABLE)]
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            publish(_event("t:1"))  # n = 1: of no concern — nothing heard, no reaction row written
            assert not PendingReaction.objects.exists()
            publish(DomainEvent(name="test_happened", subject="core.test", subject_id=2, key="t:2",
                                occurred_at=timezone.now(), payload={"n": 2}))
            assert PendingReaction.objects.filter(subscriber=f"test.when.{Mode.DURABLE}").count() == 1
        assert sorted(log) == sorted([(Mode.ATOMIC, "t:2"), (Mode.COMMIT, "t:2"), (Mode.DURABLE, "t:2")])
    finally:
        for key in keys:
            unsubscribe(key)
