"""Requests the live test server is still working on. A browser test's page closed at the test's
end may leave a request running in the server's thread (an htmx poll, a page still loading); the
database flush that ends a browser test must not run beside it — on PostgreSQL the flush's
TRUNCATE and the request's reads deadlock, and the next test starts on an unflushed database."""

from __future__ import annotations

import threading

from django.core.signals import request_finished, request_started

_idle = threading.Condition()
_active = 0


def _started(**kwargs) -> None:
    global _active
    with _idle:
        _active += 1


def _finished(**kwargs) -> None:
    global _active
    with _idle:
        _active = max(0, _active - 1)
        _idle.notify_all()


def watch() -> None:
    """Count the requests of this process from now on (request_finished: after the response is
    closed, a streamed one included)."""
    request_started.connect(_started, dispatch_uid="wangge.testing.inflight.started")
    request_finished.connect(_finished, dispatch_uid="wangge.testing.inflight.finished")


def wait_until_idle(timeout: float = 15.0) -> bool:
    """Wait until no request of this process is running (False if one still is after ``timeout``)."""
    with _idle:
        return _idle.wait_for(lambda: _active == 0, timeout=timeout)
