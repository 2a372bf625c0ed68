"""Domain events (领域事件): how one app follows what happens in another without importing it.

An action publishes a ``DomainEvent`` inside its transaction; subscribers say how they want to
hear of it:

``Mode.ATOMIC``
    Called at once, inside the publishing transaction. For writing rows that must exist exactly
    when the change exists — an outbox message to a resident, an audit row. An exception rolls
    the whole action back, so keep it to cheap inserts.
``Mode.COMMIT``
    Called in-process after the transaction commits (Zulip's ``send_event_on_commit``). For
    cheap, loss-tolerant work: a cache to drop, a task to enqueue. An exception is logged, never
    raised into the action that already committed.
``Mode.TASK``
    Enqueued after commit as a django-tasks task (``core.tasks.run_subscriber``) that a worker
    runs with the event. For slow work that may take its time (an export, a sync with another
    system); like ``COMMIT``, lost if the process dies between commit and enqueue.
``Mode.DURABLE``
    A ``PendingReaction`` row is written in the publishing transaction; the background worker
    runs the handler after commit, in its own transaction, deletes the row on success and retries
    with back-off on failure. A process that dies between commit and handler loses nothing: the
    row is still there. For reactions that must not be lost (a credit award, a reply to a
    resident). The handler must be idempotent for its side effects outside the database.

Event names and their payloads are documented where they are defined (``define_event``); the
case desk's are in ``wangge/cases/domain_events.py``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.utils import timezone

from .registry import Registry

log = logging.getLogger("wangge.events")

event_types = Registry("domain events")


class Mode:
    ATOMIC = "atomic"
    COMMIT = "commit"
    TASK = "task"
    DURABLE = "durable"


def define_event(name: str, *, label, doc: str = "") -> None:
    """Declare an event type an app publishes (its payload keys belong in ``doc``)."""
    event_types.register(name, label, doc=doc)


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened, in terms another app can act on.

    ``subject`` is ``"app_label.model"`` and ``subject_id`` the row it happened to; ``key``
    identifies this one occurrence (e.g. ``"cases.caseevent:812"``), so a subscriber can use it
    as a dedupe key; ``payload`` holds JSON-able values only (it may be stored and replayed)."""

    name: str
    subject: str
    subject_id: int
    key: str
    occurred_at: dt.datetime
    actor_id: int | None = None
    actor_kind: str = ""
    payload: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        data = asdict(self)
        data["occurred_at"] = self.occurred_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict) -> "DomainEvent":
        data = dict(data)
        data["occurred_at"] = dt.datetime.fromisoformat(data["occurred_at"])
        return cls(**data)


@dataclass(frozen=True)
class Subscription:
    event: str  # an event name, or "*" for every event
    handler: Callable[[DomainEvent], object]
    mode: str
    key: str
    # Does this occurrence concern the subscriber at all? Asked in the change's transaction,
    # before anything is queued or stored — so it must be cheap (no query; a process cache).
    when: Callable[[DomainEvent], bool] | None = None


_subscriptions: dict[str, Subscription] = {}


def subscribe(event: str, handler: Callable[[DomainEvent], object], *, mode: str = Mode.COMMIT,
              key: str | None = None, when: Callable[[DomainEvent], bool] | None = None) -> Subscription:
    """Call ``handler(event)`` for every published ``event`` (or ``"*"``). ``key`` names the
    subscription (stored with durable reactions); by default the handler's dotted path.
    ``when(event)``: only the occurrences it accepts are handled — a DURABLE subscriber that
    concerns few events then writes no reaction row for the others."""
    if mode not in (Mode.ATOMIC, Mode.COMMIT, Mode.TASK, Mode.DURABLE):
        raise ValueError(f"unknown mode {mode!r}")
    key = key or f"{handler.__module__}.{handler.__qualname__}:{event}"
    sub = Subscription(event=event, handler=handler, mode=mode, key=key, when=when)
    _subscriptions[key] = sub
    return sub


def unsubscribe(key: str) -> None:
    _subscriptions.pop(key, None)


def subscriptions_for(name: str, mode: str | None = None, event: DomainEvent | None = None) -> list[Subscription]:
    """The subscriptions to ``name`` (in ``mode``); with ``event``, only those whose ``when``
    accepts it."""
    return [s for s in _subscriptions.values()
            if s.event in (name, "*") and (mode is None or s.mode == mode)
            and (event is None or s.when is None or s.when(event))]


def subscription(key: str) -> Subscription | None:
    return _subscriptions.get(key)


def publish(event: DomainEvent) -> None:
    """Publish ``event`` from inside the transaction of the change it describes."""
    if event.name not in event_types:
        raise ValueError(f"domain event {event.name!r} is not defined")
    for sub in subscriptions_for(event.name, Mode.ATOMIC, event):
        sub.handler(event)
    durable = subscriptions_for(event.name, Mode.DURABLE, event)
    if durable:
        from .models import PendingReaction

        now = timezone.now()
        PendingReaction.objects.bulk_create(
            [PendingReaction(subscriber=s.key, event=event.as_json(), due_at=now) for s in durable]
        )
        transaction.on_commit(_kick_reactions)
    if subscriptions_for(event.name, Mode.COMMIT, event):
        transaction.on_commit(lambda: _run_commit_handlers(event))
    for sub in subscriptions_for(event.name, Mode.TASK, event):
        transaction.on_commit(lambda key=sub.key: _enqueue_subscriber(key, event))


def _run_commit_handlers(event: DomainEvent) -> None:
    for sub in subscriptions_for(event.name, Mode.COMMIT, event):
        try:
            sub.handler(event)
        except Exception:  # the change is committed; a failing follower must not undo it
            log.exception("subscriber %s failed on %s %s", sub.key, event.name, event.key)


def _enqueue_subscriber(key: str, event: DomainEvent) -> None:
    from .tasks import run_subscriber

    try:
        run_subscriber.enqueue(key, event.as_json())
    except Exception:
        log.exception("could not enqueue subscriber %s for %s", key, event.key)


# A busy web process commits many reactions a second: one run enqueued per second takes them all
# (each run drains what is due), instead of one task row per commit on the intake path. A row
# committed just after a run started waits for the next kick or the periodic run (10 s).
KICK_EVERY_SECONDS = 1.0
_last_kick = 0.0


def _kick_reactions() -> None:
    """Ask a worker to run the reactions just written (the periodic run catches any left)."""
    global _last_kick
    from .tasks import run_reactions_task

    if type(run_reactions_task.get_backend()).__name__ == "DatabaseBackend":
        now = time.monotonic()
        if now - _last_kick < KICK_EVERY_SECONDS:
            return
        _last_kick = now
    try:
        run_reactions_task.enqueue()
    except Exception:  # the rows are safe in the table; the periodic run will get them
        log.exception("could not enqueue the reactions task")


# Back-off between attempts of a failing durable reaction: 1 min, 5 min, 30 min, 2 h, then dead.
RETRY_DELAYS = (60, 300, 1800, 7200)


def run_pending_reactions(*, limit: int = 200, now: dt.datetime | None = None,
                          subscribers: set[str] | None = None) -> int:
    """Run due durable reactions, each in its own transaction (SKIP LOCKED: several workers share
    them; ``subscribers`` limits it to those). The row is deleted in the handler's transaction, so a reaction's database writes and
    its removal from the queue commit together — it runs once. Returns how many succeeded."""
    from .models import PendingReaction

    done = 0
    for _i in range(limit):
        with transaction.atomic():
            due = PendingReaction.objects.select_for_update(skip_locked=True).filter(
                dead=False, due_at__lte=now or timezone.now())
            if subscribers is not None:  # one subscriber's backlog (operations, tests)
                due = due.filter(subscriber__in=subscribers)
            row = due.order_by("due_at", "pk").first()
            if row is None:
                break
            sub = subscription(row.subscriber)
            if sub is None:
                _failed(row, "no such subscriber (app removed?)")
                continue
            try:
                with transaction.atomic():  # a savepoint: the handler's writes go, the row stays
                    sub.handler(DomainEvent.from_json(row.event))
            except Exception as exc:
                log.exception("durable reaction %s failed", row.subscriber)
                _failed(row, f"{type(exc).__name__}: {exc}")
                continue
            row.delete()
            done += 1
    return done


def _failed(row, error: str) -> None:
    row.attempts += 1
    row.last_error = error[:2000]
    if row.attempts > len(RETRY_DELAYS):
        row.dead = True
    else:
        row.due_at = timezone.now() + dt.timedelta(seconds=RETRY_DELAYS[row.attempts - 1])
    row.save(update_fields=["attempts", "last_error", "dead", "due_at"])


def retry_dead_reactions(*, ids=None) -> int:
    """An admin's retry of reactions that gave up: due now, attempts start again."""
    from .models import PendingReaction

    qs = PendingReaction.objects.filter(dead=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(dead=False, attempts=0, due_at=timezone.now())
