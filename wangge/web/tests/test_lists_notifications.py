"""Case-list columns saved per user; notifications with the case's title and place, grouped with a
link to the filtered list; the daily digest."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from wangge.cases.choices import CaseStatus
from wangge.notifications.digest import send_daily_digests
from wangge.notifications.models import Notification, NotificationPreference
from wangge.notifications.services import notify
from wangge.testing import case_in_state, file_case

pytestmark = pytest.mark.django_db


def test_columns_are_saved_per_user(world, login):
    file_case(world)
    client = login(world.users["clerk"])
    page = client.get(reverse("web:case_list")).content.decode()
    assert 'data-testid="time-left"' in page
    client.post(reverse("web:save_list_columns"), {"columns": ["status", "address"]})
    page = client.get(reverse("web:case_list")).content.decode()
    assert 'data-testid="time-left"' not in page and "和平路1号" in page
    other = login(world.users["clerk2"]).get(reverse("web:case_list")).content.decode()
    assert 'data-testid="time-left"' in other


def test_notifications_name_the_case_and_group_many(world, login):
    clerk = world.users["clerk"]
    cases = [file_case(world, description=f"第{i}处井盖缺失") for i in range(4)]
    for case in cases:
        notify(recipients=[clerk], kind="overdue", subject=case, message=f"事件 {case.number} 已超期")
    single = file_case(world, grid=world.grids[2], description="西园路灯不亮")
    notify(recipients=[clerk], kind="overdue", subject=single, message="x")
    page = login(clerk).get(reverse("web:notifications")).content.decode()
    assert page.count('data-testid="notif-group"') == 1
    assert f"community={world.communities[0].pk}" in page and "light=red" in page
    assert single.title in page and "西园第1网格" in page


def test_daily_digest(world, login):
    clerk = world.users["clerk"]
    login(clerk).post(reverse("web:notification_digest"), {"digest": "1"})
    assert NotificationPreference.digest_for(clerk)
    case = case_in_state(world, CaseStatus.ACCEPTED)
    notify(recipients=[clerk], kind="overdue", subject=case, message="m")
    today = timezone.localtime()
    assert send_daily_digests(today.replace(hour=5)) == 0  # before the morning
    assert send_daily_digests(today.replace(hour=9)) == 1
    assert send_daily_digests(today.replace(hour=10)) == 0  # once a day
    digest = Notification.objects.get(recipient=clerk, kind="digest")
    assert "1" in digest.message and digest.url == "/notifications/?unread=1"


@pytest.mark.parametrize("given, lands_on", [("/cases/", "/cases/"), ("abc", "/notifications/"), ("", "/notifications/"),
                                             ("https://evil.example/", "/notifications/"), ("//evil.example/", "/notifications/")])
def test_reading_a_notification_goes_back_only_to_a_page_of_ours(world, login, given, lands_on):
    clerk = world.users["clerk"]
    notify(recipients=[clerk], kind="overdue", subject=file_case(world), message="x")
    item = Notification.objects.get(recipient=clerk)
    answer = login(clerk).post(reverse("web:notification_read", args=[item.pk]), {"next": given})
    assert (answer.status_code, answer["Location"]) == (302, lands_on)
    item.refresh_from_db()
    assert item.read_at is not None
