"""Real parallel transactions for the PostgreSQL race tests: threads, each on its own connection."""

from __future__ import annotations

import threading

from django.db import connection


def run_in_threads(n: int, target) -> list:
    """Run ``target(i)`` in ``n`` threads started together; each thread uses and then closes its
    own connection. Returns each thread's result or exception."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = target(i)
        except Exception as exc:  # noqa: BLE001 — the test inspects it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results
