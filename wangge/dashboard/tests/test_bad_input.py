"""Months and dates out of range on the dashboard, its export and the monthly report: the page
shows its default and says which filter it could not use — never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages

from wangge.dashboard.selectors import today


def last_month() -> dt.date:
    return (today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@pytest.fixture
def leader(world, client):
    client.force_login(world.users["leader"])
    return client


@pytest.mark.parametrize("month, said", [
    ("9999-12", "请填写 2000-01 至 2100-12 之间的月份。"),
    ("0001-01", "请填写 2000-01 至 2100-12 之间的月份。"),
    ("0000-05", "请填写 2000-01 至 2100-12 之间的月份。"),
    ("2026-13", "请按“年-月”填写月份，例如 2026-03。"),
    ("２０２６-０１", "请按“年-月”填写月份，例如 2026-03。"),
])
def test_report_for_a_month_out_of_range_shows_last_month_and_says_why(leader, month, said):
    response = leader.get("/dashboard/report/", {"month": month}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response.context["month"] == last_month()
    warnings = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(warnings) == 1 and said in warnings[0], warnings


@pytest.mark.parametrize("month", ["2000-01", "2100-12"])
def test_report_for_the_edge_months_is_shown(leader, month):
    response = leader.get("/dashboard/report/", {"month": month})
    assert response.status_code == 200
    assert response.context["month"].strftime("%Y-%m") == month
    assert not list(get_messages(response.wsgi_request))


@pytest.mark.parametrize("start, end", [("9999-12-30", "9999-12-31"), ("0001-01-01", "0001-01-02")])
def test_dashboard_range_out_of_range_falls_back_to_this_month_with_a_warning(leader, start, end):
    query = {"period": "range", "start": start, "end": end}
    response = leader.get("/dashboard/", query, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    period = response.context["sel"].period
    assert (period.start, period.end) == (today().replace(day=1), today())
    warnings = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("2000-01-01" in w and "2100-12-31" in w for w in warnings), warnings
    assert leader.get("/dashboard/export.xlsx", query).status_code == 200
    assert leader.get("/dashboard/report/", query).status_code == 200
