"""With a read replica configured, the dashboard's figures are read from it and every write and
every sign-in check stays on the primary (wangge.core.dbrouter)."""

from __future__ import annotations

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from wangge.core.dbrouter import ReplicaRouter, replica_reads
from wangge.org.models import Region, User


def _sql(queries) -> str:
    return " ".join(q["sql"] for q in queries)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_dashboard_figures_come_from_the_replica_and_other_pages_from_the_primary(client, settings):
    from wangge.testing import build_world

    world = build_world()
    settings.WANGGE_REPLICA_PATHS = ["/dashboard/"]
    client.force_login(world.users["leader"])
    with CaptureQueriesContext(connections["replica"]) as on_replica, \
            CaptureQueriesContext(connections["default"]) as on_primary:
        assert client.get("/dashboard/").status_code == 200
    replica, primary = _sql(on_replica.captured_queries), _sql(on_primary.captured_queries)
    assert "dashboard_" in replica and "org_region" in replica  # the figures and their territory
    assert "django_session" in primary and "org_user" in primary  # who is signed in: the primary
    # (A refresh of stale figures inside the request is a write; reads inside it stay on the
    # primary — the atomic-block rule below.)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get("/").status_code in (200, 302)
    assert not on_replica.captured_queries  # a page not on the list
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Region) == "replica"
        with transaction.atomic():
            assert router.db_for_read(Region) is None  # inside a write: read what the write sees


def test_the_router_sends_only_reads_outside_a_write_and_never_the_sign_in_tables(settings):
    router = ReplicaRouter()
    assert router.db_for_read(Region) is None  # not inside a marked request
    with replica_reads():
        assert router.db_for_read(Region) == "replica"
        assert router.db_for_read(User) is None  # an account just disabled counts at once
        assert router.db_for_write(Region) == "default"
    assert router.allow_migrate("replica", "cases") is False and router.allow_migrate("default", "cases")

