"""Gateways the outbox tests use to make deliveries fail, or a worker die, on purpose."""

from __future__ import annotations

import contextlib
import os
import threading

from wangge.notifications.gateways import (
    FileGateway,
    GatewayError,
    PermanentGatewayError,
)


class FlakyGateway(FileGateway):
    """Fails (transiently) while ``FlakyGateway.failures`` > 0, then writes like FileGateway."""

    failures = 0
    permanent = False

    def send(self, message):
        if FlakyGateway.failures > 0:
            FlakyGateway.failures -= 1
            raise (PermanentGatewayError if FlakyGateway.permanent else GatewayError)("provider busy")
        return super().send(message)


@contextlib.contextmanager
def refusing_for_good(settings):
    """Every channel goes to a FlakyGateway that refuses the next message for good (a dead letter)."""
    settings.WANGGE_OUTBOX_GATEWAYS = {"*": "wangge.notifications.tests.gateways.FlakyGateway"}
    FlakyGateway.failures, FlakyGateway.permanent = 1, True
    try:
        yield
    finally:
        FlakyGateway.failures, FlakyGateway.permanent = 0, False


class SystemExitGateway(FileGateway):
    """The worker is told to stop (SystemExit) right after — or before — the provider took the message."""

    def send(self, message):
        if self.options.get("die") == "after":
            super().send(message)
        raise SystemExit(1)


class DyingGateway(FileGateway):
    """The worker process dies on the spot (``os._exit``: no cleanup, no ``finally``, nothing
    flushed) right after — or before — the provider took the message."""

    def send(self, message):
        if self.options.get("die") == "after":
            super().send(message)
        os._exit(9)


class CountingGateway(FileGateway):
    """Records every hand-over (thread-safe), to count how often each key reached the provider."""

    calls: list[str] = []
    lock = threading.Lock()

    def send(self, message):
        with CountingGateway.lock:
            CountingGateway.calls.append(message.idempotency_key)
        return super().send(message)
