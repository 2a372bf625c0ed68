"""The worker's pages without JavaScript, the diary's lines, the case panel."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from wangge.diary.sources import lines_for
from wangge.patrols.choices import FindingClass
from wangge.patrols.models import CheckIn, Finding
from wangge.testing import make_category

from .conftest import point_in, visit

pytestmark = pytest.mark.django_db


def test_today_page_lists_due_and_overdue_and_the_form_checks_in(world, client, clock):
    clock.set(2026, 11, 24, 9)
    point = point_in(world, active_from=dt.date(2026, 11, 23))
    client.force_login(world.users["worker_a1"])
    page = client.get("/patrols/", {"lat": point.latitude, "lng": point.longitude}).content.decode()
    assert page.count('data-testid="due-visit"') == 1 and page.count('data-testid="overdue-visit"') == 1
    form = client.get(f"/patrols/points/{point.pk}/check-in/")
    assert form.status_code == 200
    category = make_category("乱堆乱放")
    response = client.post(f"/patrols/points/{point.pk}/check-in/", {
        "client_id": str(uuid.uuid4()), "finding_client_id": str(uuid.uuid4()), "presence": "gps",
        "latitude": point.latitude, "longitude": point.longitude, "accuracy": 5, "notes": "正常",
        "finding": "门口垃圾", "handling_class": FindingClass.GENERAL, "category": category.pk, "result": "已清理",
    })
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert finding.on_the_spot and finding.checkin.notes == "正常"
    page = client.get("/patrols/").content.decode()
    assert 'data-testid="nothing-due"' in page
    # JSON for the page's script: a refusal is a 400 with the message.
    bad = client.post(f"/patrols/points/{point.pk}/check-in/", {
        "client_id": str(uuid.uuid4()), "finding_client_id": str(uuid.uuid4()), "presence": "gps"},
        headers={"X-Patrol-Client": "1"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"


def test_the_qr_plate_opens_the_check_in_by_plate(world, client, daily_point):
    client.force_login(world.users["worker_a1"])
    page = client.get(f"/patrols/p/{daily_point.plate_token}/")
    assert page.status_code == 200 and 'data-testid="by-plate"' in page.content.decode()
    assert client.get("/patrols/p/forged/").status_code == 404
    client.force_login(world.users["worker_b1"])
    assert client.get(f"/patrols/p/{daily_point.plate_token}/").status_code == 404


def test_the_route_of_a_day_shows_that_days_check_ins_on_a_map(world, client, daily_point):
    visit(world, daily_point)
    client.force_login(world.users["worker_a1"])
    page = client.get("/patrols/route/").content.decode()
    assert 'id="route-map"' in page and "route-data" in page and daily_point.name in page
    client.force_login(world.users["worker_b1"])
    assert client.get("/patrols/route/", {"worker": world.users["worker_a1"].pk}).status_code == 404


def test_the_diary_lists_exactly_that_days_check_ins_and_findings(world, clock):
    clock.set(2026, 11, 24, 23, 50)
    point = point_in(world, active_from=dt.date(2026, 11, 23))
    visit(world, point, notes="晚上")
    clock.set(2026, 11, 25, 0, 10)
    c = visit(world, point).checkin
    from wangge.patrols import actions

    actions.report_finding(actor=world.users["worker_a1"], checkin=c, description="路灯不亮",
                           handling_class=FindingClass.APPROVAL)
    worker = world.users["worker_a1"]
    day24 = [line for line in lines_for(worker, dt.date(2026, 11, 24)) if line.source.startswith("patrols.")]
    day25 = [line for line in lines_for(worker, dt.date(2026, 11, 25)) if line.source.startswith("patrols.")]
    assert [line.source for line in day24] == ["patrols.checkins"] and "晚上" in day24[0].text
    assert sorted(line.source for line in day25) == ["patrols.checkins", "patrols.findings"]
    assert CheckIn.objects.count() == 2


def test_a_refused_finding_writes_no_check_in_either(world, client, daily_point):
    client.force_login(world.users["worker_a1"])
    response = client.post(f"/patrols/points/{daily_point.pk}/check-in/", {
        "client_id": str(uuid.uuid4()), "finding_client_id": str(uuid.uuid4()), "presence": "gps",
        "latitude": daily_point.latitude, "longitude": daily_point.longitude,
        "finding": "门口垃圾", "handling_class": FindingClass.GENERAL, "result": "已清理"},  # no category
        headers={"X-Patrol-Client": "1"})
    assert response.status_code == 400 and response.json()["error"]["fields"] == {"category": "required"}
    assert not CheckIn.objects.exists() and not Finding.objects.exists()


def test_the_admin_pages_open(world, client, daily_point):
    from wangge.org.models import User

    admin = User.objects.create_superuser("root", password="pw")
    client.force_login(admin)
    for model in ("patrolpoint", "visitslot", "checkin", "finding", "gridofficer", "officerrole", "pointclassdefault"):
        assert client.get(f"/admin/patrols/{model}/").status_code == 200, model
    assert client.get(f"/admin/patrols/patrolpoint/{daily_point.pk}/change/").status_code == 200


def test_the_chief_cancels_a_visit_from_the_list_with_a_reason(world, client, daily_point):
    from wangge.patrols.choices import SlotStatus
    from wangge.patrols.models import VisitSlot

    slot = VisitSlot.objects.get(point=daily_point)
    client.force_login(world.users["worker_a1"])
    assert f'data-testid="cancel-{slot.pk}"' not in client.get("/patrols/").content.decode()
    assert client.post(f"/patrols/slots/{slot.pk}/cancel/", {"reason": "停业"}).status_code == 404
    assert VisitSlot.objects.get(pk=slot.pk).status == SlotStatus.OPEN  # refused: not theirs to cancel
    client.force_login(world.users["chief_a1"])
    assert f'data-testid="cancel-{slot.pk}"' in client.get("/patrols/").content.decode()
    client.post(f"/patrols/slots/{slot.pk}/cancel/", {"reason": ""})
    assert VisitSlot.objects.get(pk=slot.pk).status == SlotStatus.OPEN
    client.post(f"/patrols/slots/{slot.pk}/cancel/", {"reason": "节日停业"})
    assert VisitSlot.objects.get(pk=slot.pk).cancel_reason == "节日停业"
