"""A 12345 system linked in real time files its orders through the API (source 12345, the order
number as external id, its 办理时限 as source_due_at); the reply to 12345 answers those orders
beside the imported ones."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from wangge.cases.models import Case
from wangge.intake.hotline12345.rows import HOTLINE_TZ

from .conftest import csv_bytes, order

pytestmark = pytest.mark.django_db


def _reply(client, **params) -> list[dict]:
    response = client.get("/intake/12345/reply/", params)
    assert response.status_code == 200, response.content[:300]
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_the_reply_answers_orders_the_linked_system_filed_through_the_api(world, run, source, client):
    today = timezone.localtime(timezone.now(), HOTLINE_TZ)
    run("orders.csv", csv_bytes([order(1, 受理时间=f"{today:%Y-%m-%d} 00:01", 办理时限="")]), mode="valid")
    clerk = world.users["clerk"]
    api = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    api.force_authenticate(clerk)
    lng, lat = world.point_in(world.grids[0])
    due = (timezone.now() + dt.timedelta(hours=6)).replace(microsecond=0)
    filed = api.post("/api/v1/cases/", {"channel": "12345", "source": "12345", "external_id": "GD-API-0001",
                                        "description": "接口推送：小区路灯不亮", "longitude": lng, "latitude": lat,
                                        "source_due_at": due.isoformat()}, format="json")
    assert filed.status_code == 201, filed.content
    # Not a 12345 order: another system's report stays out of the reply.
    assert api.post("/api/v1/cases/", {"description": "别的系统", "longitude": lng, "latitude": lat,
                                       "source": "other", "external_id": "X1"}, format="json").status_code == 201
    client.force_login(clerk)

    rows = _reply(client, start=f"{today:%Y-%m-%d}", end=f"{today:%Y-%m-%d}")

    by_order = {row["工单编号"]: row for row in rows}
    assert set(by_order) == {"GD2026030100001", "GD-API-0001"}
    linked = by_order["GD-API-0001"]
    assert linked["事件编号"] == filed.json()["number"] == Case.objects.get(external_id="GD-API-0001").number
    assert linked["办理时限"] == f"{due.astimezone(HOTLINE_TZ):%Y-%m-%d %H:%M:%S}"
    assert linked["办理状态"] == "待受理"

    # One import source chosen: the orders of that source only.
    only_imported = _reply(client, source=source.pk, start=f"{today:%Y-%m-%d}", end=f"{today:%Y-%m-%d}")
    assert [row["工单编号"] for row in only_imported] == ["GD2026030100001"]


def test_an_order_both_linked_and_imported_is_answered_once(world, run, client):
    """The import of an order the linked system already filed finds the case (nothing twice),
    and the reply has one row for it."""
    today = timezone.localtime(timezone.now(), HOTLINE_TZ)
    api = APIClient()
    api.force_authenticate(world.users["clerk"])
    lng, lat = world.point_in(world.grids[0])
    number = "GD2026030100001"
    assert api.post("/api/v1/cases/", {"channel": "12345", "source": "12345", "external_id": number,
                                       "description": "接口推送", "longitude": lng, "latitude": lat},
                    format="json").status_code == 201
    run("orders.csv", csv_bytes([order(1, 受理时间=f"{today:%Y-%m-%d} 00:01", 办理时限="")]), mode="valid")
    client.force_login(world.users["clerk"])

    rows = _reply(client, start=f"{today:%Y-%m-%d}", end=f"{today:%Y-%m-%d}")

    assert [row["工单编号"] for row in rows] == [number]
    assert Case.objects.filter(source="12345", external_id=number).count() == 1
