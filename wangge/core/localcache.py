"""Small tables kept in each process (进程内缓存): the working-day calendar, the deadline policies.

A ``ProcessCache`` holds what its loader read from the database and reads it again once it is
older than ``seconds``: a change made by another process (another gunicorn worker, the task
worker) is seen within that time. The process that makes the change drops the copy at once
(``invalidate``, called from model signals and services).
The loaders read a few dozen rows, so reading them again *is* the check — no fingerprint needed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

CHECK_SECONDS = 5.0

_registry: list["ProcessCache"] = []


class ProcessCache(Generic[T]):
    def __init__(self, load: Callable[[], T], *, seconds: float = CHECK_SECONDS):
        self._load = load
        self.seconds = seconds
        self._lock = threading.Lock()
        self._value: T | None = None
        self._loaded_at: float | None = None
        self._generation = 0
        _registry.append(self)

    def get(self) -> T:
        now = time.monotonic()
        with self._lock:
            if self._loaded_at is not None and now - self._loaded_at < self.seconds:
                return self._value  # type: ignore[return-value]
            generation = self._generation
        value = self._load()
        with self._lock:
            if generation == self._generation:  # not invalidated while loading
                self._value, self._loaded_at = value, now
        return value

    def invalidate(self) -> None:
        """Drop the copy now: the next use reads the tables again."""
        with self._lock:
            self._value, self._loaded_at = None, None
            self._generation += 1


def register(cache) -> None:
    """Let ``invalidate_all`` reach another kind of per-process cache (anything with an
    ``invalidate()`` method)."""
    _registry.append(cache)


def invalidate_all() -> None:
    """Forget every process cache (tests: each test starts from what its database holds)."""
    for cache in _registry:
        cache.invalidate()
