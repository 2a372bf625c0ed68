"""The migration from "a notification has a case" to "a notification has a subject"."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from wangge.notifications.models import MessageTemplate, Notification

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("notifications", "0002_initial")


def migrate(*targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets))
    return executor.loader.project_state(list(targets)).apps


def migrate_everything():
    """Back to the latest migration of every app: going back to ``BEFORE`` also unapplied the
    migrations of the apps that depend on notifications (credit's, neighbourhood's), and the
    tests after this one need their tables."""
    migrate(*MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_case_notifications_become_subject_notifications():
    from wangge.cases.models import Case
    from wangge.testing import build_world, file_case

    world = build_world()
    case = file_case(world)
    clerk, admin = world.users["clerk"], world.users["admin"]
    try:
        old = migrate(BEFORE).get_model("notifications", "Notification")
        old.objects.all().delete()
        old.objects.create(recipient_id=clerk.pk, kind="assigned", case_id=case.pk, message="新派单")
        old.objects.create(recipient_id=clerk.pk, kind="overdue", message="无案件")
        # Two unread alerts of one year for one admin (the old check let that happen), one of another year.
        for text in ("2027年的期限是临时的", "2027年的期限是临时的（再次）", "请导入2028年日历"):
            old.objects.create(recipient_id=admin.pk, kind="calendar", message=text)
    finally:
        migrate_everything()

    with_case = Notification.objects.get(message="新派单")
    assert with_case.subject_type == ContentType.objects.get_for_model(Case)
    assert (with_case.subject_id, with_case.subject, with_case.url) == (case.pk, case, f"/cases/{case.number}/")
    plain = Notification.objects.get(message="无案件")
    assert (plain.subject_type, plain.subject_id, plain.url, plain.dedupe_key) == (None, None, "", "")
    keys = dict(Notification.objects.filter(kind="calendar").values_list("message", "dedupe_key"))
    assert keys == {"2027年的期限是临时的": "", "2027年的期限是临时的（再次）": "calendar:2027",
                    "请导入2028年日历": "calendar:2028"}
    assert MessageTemplate.objects.filter(key__in=["case_accepted", "case_resolved"]).count() == 2
    # Every app's tables are back for the tests that follow (credit's disputes came with credit.0004).
    from wangge.credit.models import CreditDispute

    assert CreditDispute.objects.count() == 0
