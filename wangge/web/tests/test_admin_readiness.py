"""开通检查 on the admin index: a fresh install lists what is missing (待完善) with a link to the page
where it is set up; a fully set-up office shows everything 已就绪; each item flips when fixed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client, override_settings

from wangge.cases.models import SlaPolicy
from wangge.core.readiness import run_checks
from wangge.org.choices import RegionLevel, Role
from wangge.org.models import Department, Region, User
from wangge.testing import add_region, make_category, make_user
from wangge.workdays import readiness as workday_readiness

pytestmark = pytest.mark.django_db

ALL = ["org.territory", "org.grid_boundaries", "org.intake_clerk", "org.dispatcher", "org.departments",
       "cases.default_sla_policy", "cases.category_departments", "workdays.calendar",
       "intake_wechat.public_address", "intake_qrcodes.public_address"]
PUBLIC = "https://wangge.example.gov.cn"


def _on(monkeypatch, day: dt.date) -> None:
    monkeypatch.setattr(workday_readiness, "today", lambda: day)


def _states() -> dict[str, bool]:
    return {r["key"]: r["ready"] for r in run_checks()}


def _root_client():
    root = User.objects.create_superuser("root", password="pw-long-enough-1")
    client = Client()
    client.force_login(root)
    return client


def _panel_rows(html: str) -> dict[str, tuple[str, str]]:
    """check key → (state shown, link) from the panel on the admin index."""
    rows = {}
    for key, body in re.findall(r'<tr class="is-\w+" data-check="([\w.]+)">(.*?)</tr>', html, re.S):
        state = re.search(r'class="readiness-state">([^<]+)<', body).group(1)
        link = re.search(r'href="([^"]+)"', body)
        rows[key] = (state, link.group(1).replace("&amp;", "&") if link else "")
    return rows


@pytest.fixture
def ready_world(world, monkeypatch):
    """The world plus what an office sets up beside its people: categories routed to departments."""
    make_category("占道经营", department=world.departments["chengguan"])
    _on(monkeypatch, dt.date(2026, 6, 1))
    return world


def test_a_fresh_install_lists_what_is_missing_with_links_that_open(monkeypatch):
    _on(monkeypatch, dt.date(2026, 11, 15))  # next year's holidays are due and not loaded
    client = _root_client()
    page = client.get("/admin/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "开通检查" in html
    rows = _panel_rows(html)
    assert list(rows) == ALL
    pending = {k for k, (state, _link) in rows.items() if state == "待完善"}
    assert pending == {"org.territory", "org.grid_boundaries", "org.intake_clerk", "org.dispatcher",
                      "org.departments", "cases.category_departments", "workdays.calendar"}
    # The deadline policy comes with the migrations; no channel is in use, so no address is needed.
    assert {k for k, (state, _link) in rows.items() if state == "已就绪"} == set(ALL) - pending
    assert "2027" in html
    for key, (_state, link) in rows.items():
        assert link, key
        assert client.get(link).status_code == 200, (key, link)


def test_the_set_up_world_is_ready_everywhere(ready_world):
    assert _states() == dict.fromkeys(ALL, True)
    html = _root_client().get("/admin/").content.decode()
    assert {state for state, _link in _panel_rows(html).values()} == {"已就绪"}
    assert "待完善" not in html


def test_the_panel_speaks_english_too(ready_world):
    client = _root_client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # what the language switch sets
    html = client.get("/admin/").content.decode()
    rows = _panel_rows(html)
    assert rows and {state for state, _link in rows.values()} == {"Ready"}
    assert "Readiness check" in html and "Every grid in use has a boundary." in html


def test_who_cannot_use_the_admin_never_sees_the_panel(ready_world):
    client = Client()
    client.force_login(ready_world.users["clerk"])
    response = client.get("/admin/", follow=True)
    assert "readiness-panel" not in response.content.decode()


def test_territory_flips_when_a_grid_is_added(db):
    city = add_region(None, RegionLevel.CITY, "市")
    district = add_region(city, RegionLevel.DISTRICT, "区")
    subdistrict = add_region(district, RegionLevel.SUBDISTRICT, "街道")
    community = add_region(subdistrict, RegionLevel.COMMUNITY, "社区")
    assert _states()["org.territory"] is False
    add_region(community, RegionLevel.GRID, "第1网格")
    assert _states()["org.territory"] is True


def test_grid_boundaries_flip_when_the_last_grid_gets_one(ready_world):
    grid = ready_world.grids[0]
    boundary = grid.boundary
    Region.objects.filter(pk=grid.pk).update(boundary=None)
    assert _states()["org.grid_boundaries"] is False
    Region.objects.filter(pk=grid.pk).update(boundary=boundary)
    assert _states()["org.grid_boundaries"] is True


def test_clerk_and_dispatcher_flip_when_staff_are_appointed(db):
    subdistrict = add_region(add_region(add_region(None, RegionLevel.CITY, "市"), RegionLevel.DISTRICT, "区"),
                             RegionLevel.SUBDISTRICT, "街道")
    assert not _states()["org.dispatcher"] and not _states()["org.intake_clerk"]
    make_user(Role.LEADER, region=subdistrict, username="leader")
    assert _states()["org.dispatcher"] and not _states()["org.intake_clerk"]
    clerk = make_user(Role.INTAKE_CLERK, region=subdistrict, username="clerk")
    assert _states()["org.intake_clerk"]
    User.objects.filter(pk=clerk.pk).update(is_active=False)  # a clerk who left does not count
    assert not _states()["org.intake_clerk"]


def test_departments_flip_when_one_is_in_use(ready_world):
    Department.objects.update(is_active=False)
    assert _states()["org.departments"] is False
    Department.objects.filter(code="pingan").update(is_active=True)
    assert _states()["org.departments"] is True


def test_default_policy_flips(ready_world):
    SlaPolicy.objects.update(is_default=False)
    assert _states()["cases.default_sla_policy"] is False
    SlaPolicy.objects.filter(pk=SlaPolicy.objects.first().pk).update(is_default=True)
    assert _states()["cases.default_sla_policy"] is True


def test_a_leaf_category_without_department_is_pending_until_routed(ready_world):
    parent = make_category("市容环境")  # a parent needs no department of its own
    leaf = make_category("垃圾满溢", parent=parent)
    rows = {r["key"]: r for r in run_checks()}
    assert rows["cases.category_departments"]["ready"] is False
    assert "1" in rows["cases.category_departments"]["reason"]
    leaf.default_department = ready_world.departments["huanwei"]
    leaf.save()
    assert _states()["cases.category_departments"] is True


def test_next_years_calendar_is_asked_for_from_november_and_flips_when_loaded(ready_world, monkeypatch):
    from wangge.workdays.services import load_calendar_year

    assert _states()["workdays.calendar"] is True  # June: only this year is needed
    _on(monkeypatch, dt.date(2026, 11, 2))
    assert _states()["workdays.calendar"] is False
    load_calendar_year(year=2027, days=[(dt.date(2027, 1, 1), False, "元旦")], source="国办发明电〔2026〕")
    assert _states()["workdays.calendar"] is True


@pytest.mark.parametrize("key", ["intake_wechat.public_address", "intake_qrcodes.public_address"])
def test_a_channel_in_use_needs_the_public_address(ready_world, key):
    from wangge.intake.qrcodes.actions import create_qr_code
    from wangge.intake.wechat.models import WechatAccount

    if key.startswith("intake_wechat"):
        WechatAccount.objects.create(slug="dongyuan", name="东园社区", app_id="wx1234", token="t0ken", mode="plaintext",
                                     region=ready_world.communities[0])
    else:
        create_qr_code(actor=ready_world.users["secretary_a"], region=ready_world.grids[0])
    with override_settings(WANGGE_PUBLIC_BASE_URL="http://127.0.0.1:8000"):
        assert _states()[key] is False
    with override_settings(WANGGE_PUBLIC_BASE_URL=PUBLIC):
        assert _states()[key] is True
