"""Staff notifications about any subject: registered kinds, links, dedupe keys (also inside the
sweep's insert buffer), and the notification centre that opens them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from wangge.notifications import services
from wangge.notifications.models import Notification, NotificationKind
from wangge.notifications.registry import notification_kinds, register_kind
from wangge.org.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def region(db):
    from wangge.org.choices import RegionLevel
    from wangge.testing import add_region

    return add_region(None, RegionLevel.CITY, "测试市")


def test_builtin_kinds_are_registered_and_keep_their_old_names():
    assert {"assigned", "nearing", "overdue", "returned", "urged", "escalated", "reopened", "extension", "calendar",
            "resolved"} <= set(notification_kinds.values())
    assert NotificationKind.ASSIGNED == "assigned"
    with translation.override("zh-hans"):
        assert str(NotificationKind.URGED.label) == "催办"
    with translation.override("en"):
        assert str(NotificationKind.URGED.label) == "Urged"
    assert NotificationKind.CALENDAR.value == "calendar"


def test_a_notification_points_at_any_subject_with_its_link(staff, region):
    a, b = staff
    n = services.notify(recipients=[a, b, a, None], kind=NotificationKind.ASSIGNED, message="新的区域",
                        subject=region, url="/somewhere/1/")
    assert n == 2
    row = Notification.objects.get(recipient=a)
    assert (row.subject_type, row.subject_id, row.subject) == (ContentType.objects.get_for_model(Region), region.pk,
                                                               region)
    assert row.url == "/somewhere/1/"
    assert list(Notification.objects.about(region).order_by("recipient__username")
                .values_list("recipient__username", flat=True)) == ["staff-a", "staff-b"]
    assert row.get_kind_display() == str(NotificationKind.ASSIGNED.label)


def test_case_is_the_old_name_of_subject_and_the_link_comes_from_get_absolute_url(staff, region, monkeypatch):
    a, _b = staff
    monkeypatch.setattr(Region, "get_absolute_url", lambda self: f"/regions/{self.pk}/", raising=False)
    services.notify(recipients=[a], kind=NotificationKind.URGED, message="催办", case=region)
    row = Notification.objects.get()
    assert row.subject == region and row.url == f"/regions/{region.pk}/"
    with pytest.raises(TypeError):
        services.notify(recipients=[a], kind=NotificationKind.URGED, message="x", case=region, subject=a)


def test_no_subject_no_link(staff):
    services.notify(recipients=[staff[0]], kind=NotificationKind.OVERDUE, message="超时")
    row = Notification.objects.get()
    assert (row.subject_type, row.subject_id, row.url) == (None, None, "")


def test_an_unregistered_kind_is_refused_and_a_registered_one_needs_no_migration(staff):
    with pytest.raises(ValueError):
        services.notify(recipients=[staff[0]], kind="patrol_missed", message="漏巡")
    register_kind("patrol_missed", "Patrol missed")
    try:
        assert services.notify(recipients=[staff[0]], kind="patrol_missed", message="漏巡") == 1
        assert Notification.objects.get().get_kind_display() == "Patrol missed"
    finally:
        notification_kinds.unregister("patrol_missed")


def test_a_dedupe_key_reaches_each_recipient_once(staff):
    a, b = staff
    assert services.notify(recipients=[a], kind=NotificationKind.CALENDAR, message="请导入2027年日历",
                           dedupe_key="calendar:2027") == 1
    # Read or not, the same key does not come again; a newcomer gets it.
    services.mark_read(user=a)
    assert services.notify(recipients=[a, b], kind=NotificationKind.CALENDAR, message="请导入2027年日历",
                           dedupe_key="calendar:2027") == 1
    assert services.notify(recipients=[a], kind=NotificationKind.CALENDAR, message="请导入2028年日历",
                           dedupe_key="calendar:2028") == 1
    assert Notification.objects.filter(dedupe_key="calendar:2027").count() == 2
    assert Notification.objects.count() == 3


def test_the_database_holds_the_dedupe_key(staff):
    a, _b = staff
    Notification.objects.create(recipient=a, kind="calendar", message="x", dedupe_key="k")
    Notification.objects.create(recipient=a, kind="calendar", message="no key")
    Notification.objects.create(recipient=a, kind="calendar", message="no key again")  # "" is not a key
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=a, kind="calendar", message="y", dedupe_key="k")


def test_a_dedupe_key_inside_the_sweeps_buffer(staff):
    a, b = staff
    services.notify(recipients=[a], kind=NotificationKind.CALENDAR, message="2027", dedupe_key="calendar:2027")
    with services.buffered():
        services.notify(recipients=[a, b], kind=NotificationKind.OVERDUE, message="超时")
        assert services.notify(recipients=[a, b], kind=NotificationKind.CALENDAR, message="2027",
                               dedupe_key="calendar:2027") == 1
        assert services.notify(recipients=[a, b], kind=NotificationKind.CALENDAR, message="2027",
                               dedupe_key="calendar:2027") == 0
    assert Notification.objects.filter(kind="overdue").count() == 2
    assert Notification.objects.filter(dedupe_key="calendar:2027").count() == 2


def test_a_keyed_notification_inside_a_failed_buffer_is_not_written(staff):
    with pytest.raises(RuntimeError), transaction.atomic(), services.buffered():
        services.notify(recipients=[staff[0]], kind=NotificationKind.CALENDAR, message="2027",
                        dedupe_key="calendar:2027")
        raise RuntimeError
    assert not Notification.objects.exists()


def test_the_alert_is_answered_by_its_key(staff):
    a, b = staff
    services.notify(recipients=[a, b], kind=NotificationKind.CALENDAR, message="2027", dedupe_key="calendar:2027")
    services.notify(recipients=[a], kind=NotificationKind.CALENDAR, message="2028", dedupe_key="calendar:2028")
    assert services.mark_read_by_key(dedupe_key="calendar:2027") == 2
    assert list(Notification.objects.filter(read_at__isnull=True).values_list("dedupe_key", flat=True)) == [
        "calendar:2028"]
    with pytest.raises(ValueError):
        services.mark_read_by_key(dedupe_key="")


def test_the_notification_centre_links_and_opens(client, staff, region):
    a, _b = staff
    services.notify(recipients=[a], kind=NotificationKind.ASSIGNED, message="新区域待处理", subject=region,
                    url="/regions/here/")
    services.notify(recipients=[a], kind=NotificationKind.OVERDUE, message="无链接的通知")
    services.notify(recipients=[a], kind=NotificationKind.URGED, message="外站链接", url="https://evil.example/")
    client.force_login(a)
    page = client.get(reverse("web:notifications")).content.decode()
    linked, plain, foreign = (Notification.objects.get(message=m) for m in ("新区域待处理", "无链接的通知", "外站链接"))
    assert reverse("web:notification_open", args=[linked.pk]) in page
    assert reverse("web:notification_open", args=[plain.pk]) not in page
    assert "新派单" in page  # the kind's label, in Chinese
    assert client.get(reverse("web:notification_open", args=[linked.pk]))["Location"] == "/regions/here/"
    assert client.get(reverse("web:notification_open", args=[foreign.pk]))["Location"] == reverse("web:notifications")
    assert not Notification.objects.filter(pk__in=[linked.pk, foreign.pk], read_at__isnull=True).exists()
    assert client.get(reverse("web:notifications")).context["unread_notification_count"] == 1


def test_unread_subject_ids(staff, region):
    from wangge.notifications.selectors import unread_subject_ids

    a, b = staff
    services.notify(recipients=[a, b], kind=NotificationKind.ASSIGNED, message="x", subject=region)
    services.notify(recipients=[a], kind=NotificationKind.ASSIGNED, message="y", subject=b)
    services.notify(recipients=[a], kind=NotificationKind.URGED, message="z", subject=region)
    assert unread_subject_ids(user=a, kind=NotificationKind.ASSIGNED, model=Region) == {region.pk}
    services.mark_read(user=a)
    assert unread_subject_ids(user=a, kind=NotificationKind.ASSIGNED, model=Region) == set()


def test_the_admin_lists_notifications(client, staff, region):
    from wangge.testing import make_user

    services.notify(recipients=[staff[0]], kind=NotificationKind.ASSIGNED, message="新区域", subject=region, url="/r/")
    client.force_login(make_user(username="root", is_superuser=True, is_staff=True))
    page = client.get("/admin/notifications/notification/?kind=assigned").content.decode()
    assert "新区域" in page and "新派单" in page


def test_notifications_import_nothing_of_the_case_desk():
    root = Path(__file__).resolve().parents[1]
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.relative_to(root).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            offenders += [f"{path.name}:{node.lineno}" for n in names if n.startswith("wangge.cases")]
    assert not offenders
