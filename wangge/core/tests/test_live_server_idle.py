"""A browser test's database is flushed only once the live server has answered every request its
pages made (``wangge.testing.inflight``): the flush waits for a request still running, and not
for ever."""

from __future__ import annotations

import threading

from django.core.signals import request_finished, request_started

from wangge.testing import inflight


def test_the_flush_waits_for_a_request_still_running():
    inflight.watch()
    release, begun = threading.Event(), threading.Event()

    def request():
        request_started.send(sender=None)
        begun.set()
        release.wait(10)
        request_finished.send(sender=None)

    server = threading.Thread(target=request)
    server.start()
    begun.wait(10)
    assert inflight.wait_until_idle(timeout=0.05) is False  # still answering
    release.set()
    server.join(10)
    assert inflight.wait_until_idle(timeout=5) is True
