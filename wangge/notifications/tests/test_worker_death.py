"""Real workers on PostgreSQL: a worker *process* killed mid-delivery (``os._exit``, no cleanup),
and several workers delivering the same outbox at once (SELECT … FOR UPDATE SKIP LOCKED).

SQLite has one writer and an in-memory test database another process cannot open, so these run
on PostgreSQL only; ``test_outbox`` covers the same paths in-process on both databases.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from wangge.notifications import outbox
from wangge.notifications.choices import OutboxStatus
from wangge.notifications.gateways import FileGateway
from wangge.notifications.models import MessageTemplate, OutboundMessage
from wangge.notifications.tests.gateways import CountingGateway

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (another process, parallel workers)"),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[3]

WORKER = """
import sys
import django
django.setup()
from django.conf import settings
settings.WANGGE_OUTBOX_DIR = sys.argv[1]
settings.WANGGE_OUTBOX_GATEWAYS = {"*": {"BACKEND": "wangge.notifications.tests.gateways.DyingGateway",
                                         "OPTIONS": {"die": sys.argv[2]}}}
from wangge.notifications.outbox import deliver_due_messages
deliver_due_messages()
print("the worker was not killed", flush=True)
"""


def run_worker_that_dies(outbox_dir: Path, die: str) -> subprocess.CompletedProcess:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "WANGGE_TEST_DB": "postgres",
           "WANGGE_TEST_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-c", WORKER, str(outbox_dir), die], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def template(db, settings):
    # Out of a transaction, on_commit runs at once: the immediate backend would deliver each
    # message as it is queued. Here the workers under test do it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return MessageTemplate.objects.create(key="test_kill", channel="sms", body="【网格】编号{{ number }}已受理")


@pytest.mark.parametrize("die", ["before", "after"])
def test_a_killed_worker_process_loses_and_duplicates_nothing(outbox_dir, template, die):
    message = outbox.queue_message(channel="sms", to="13812341234", template="test_kill", context={"number": "WG1"},
                                   dedupe_key="cases.caseevent:1:sms:13812341234")
    done = run_worker_that_dies(outbox_dir, die)
    assert done.returncode == 9, done.stdout + done.stderr  # killed inside the gateway call
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENDING, 1)  # the claim was committed
    assert len(FileGateway.read("sms", outbox_dir)) == (1 if die == "after" else 0)

    assert outbox.deliver_due_messages().claimed == 0  # another worker leaves it while the lease runs
    after_lease = timezone.now() + dt.timedelta(seconds=outbox.lease_seconds() + 1)
    assert outbox.deliver_due_messages(now=after_lease).sent == 1
    message.refresh_from_db()
    delivered = FileGateway.read("sms", outbox_dir)
    assert [line["key"] for line in delivered] == [message.dedupe_key]  # exactly once
    assert (message.status, message.attempts, message.gateway_message_id) == (OutboxStatus.SENT, 2, delivered[0]["id"])


def test_parallel_workers_hand_each_message_over_once(outbox_dir, template, settings):
    settings.WANGGE_OUTBOX_GATEWAYS = {"*": "wangge.notifications.tests.gateways.CountingGateway"}
    CountingGateway.calls = []
    for i in range(60):
        outbox.queue_message(channel="sms", to=f"138000000{i:02d}", template="test_kill", context={"number": i},
                             dedupe_key=f"evt:{i}:sms")
    barrier = threading.Barrier(4)
    results = []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(outbox.deliver_due_messages(limit=1000).sent)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(results) == 60
    assert set(Counter(CountingGateway.calls).values()) == {1} and len(CountingGateway.calls) == 60
    assert OutboundMessage.objects.filter(status=OutboxStatus.SENT).count() == 60
    assert len(FileGateway.read("sms", outbox_dir)) == 60
