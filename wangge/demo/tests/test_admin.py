"""The admin over the demo data: tree fields in Chinese, grids take GeoJSON with clear errors, cases
are read-only with residents' data masked, a year's calendar can be pasted."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from wangge.cases.models import Case
from wangge.demo.loader import load_demo
from wangge.org import geo
from wangge.org.choices import RegionLevel, Role
from wangge.org.models import Region, RoleAssignment, User
from wangge.workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(client):
    """The demo's case desk (without the apps' own demo data, a load in a fraction of the time;
    every admin page over the whole demo is opened in ``test_steady_state``)."""
    geo.invalidate()
    load_demo(cases=12, seed=3, apps=False)
    client.force_login(User.objects.get(username="admin"))
    yield client
    geo.invalidate()


def _zh(message: str) -> str:
    """A message as the admin shows it (in Chinese), whatever its exact wording."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", [Region, Case.category.field.related_model])
def test_tree_position_fields_speak_chinese(site, model):
    """treebeard has no Chinese catalogue: its "Position / Relative to" fields are relabelled."""
    page = site.get(_url(model, "add")).content.decode()
    for english in ("Position", "Relative to", "Child of", "Sibling of", "-- root --"):
        assert f">{english}" not in page, english
    for chinese in ("位置", "参照节点", "作为其下级", "作为其同级", "树的顶层"):
        assert chinese in page, chinese


def test_cases_are_read_only_and_reporters_masked(site):
    case = Case.objects.exclude(reporter_phone="").order_by("pk").first()
    page = site.get(_url(Case, "change", case.pk)).content.decode()
    assert case.reporter_phone not in page
    assert case.reporter_phone[-4:] in page and "****" in page
    assert case.events.first().get_type_display() in page  # the timeline is shown
    status = case.status
    assert site.post(_url(Case, "change", case.pk), {"status": "closed"}).status_code == 403
    assert site.get(_url(Case, "add")).status_code == 403
    assert site.post(_url(Case, "delete", case.pk), {"post": "yes"}).status_code == 403
    case.refresh_from_db()
    assert case.status == status


def _grid_form(community: Region, **extra) -> dict:
    return {
        "name": "新建测试网格", "code": "test-new-grid", "level": RegionLevel.GRID, "grid_type": "urban",
        "is_active": "on", "treebeard_position": "sorted-child", "treebeard_ref_node": community.pk, **extra,
    }


def test_grid_boundary_is_validated_and_an_upload_is_found_by_lookups(site):
    community = Region.objects.filter(level=RegionLevel.COMMUNITY).first()
    bowtie = {"type": "Polygon", "coordinates": [[[117, 40], [117.01, 40.01], [117.01, 40], [117, 40.01], [117, 40]]]}
    response = site.post(_url(Region, "add"), _grid_form(community, boundary=json.dumps(bowtie)))
    assert response.status_code == 200
    assert "self-intersecting" in response.content.decode()
    response = site.post(_url(Region, "add"), _grid_form(community, boundary="{not json"))
    assert "JSON" in response.content.decode()
    response = site.post(_url(Region, "add"), _grid_form(community))
    assert _zh("A grid needs its boundary polygon.") in response.content.decode()
    assert not Region.objects.filter(code="test-new-grid").exists()

    square = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon", "coordinates": [[[117, 40], [117.01, 40], [117.01, 40.01], [117, 40.01], [117, 40]]]}}]}
    upload = SimpleUploadedFile("grid.geojson", json.dumps(square).encode(), content_type="application/geo+json")
    response = site.post(_url(Region, "add"), _grid_form(community, boundary_file=upload))
    assert response.status_code == 302, response.content.decode()[:2000]
    grid = Region.objects.get(code="test-new-grid")
    assert Region.objects.get_parent(grid) == community
    assert grid.boundary["type"] == "Polygon"
    assert geo.find_grid(117.005, 40.005) == grid


def test_role_assignment_needs_its_jurisdiction(site):
    user = User.objects.get(username="worker01")
    data = {
        "username": "worker01", "display_name": user.display_name, "phone": user.phone, "email": "",
        "is_active": "on", "last_login_0": "", "last_login_1": "", "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "roles-TOTAL_FORMS": "2", "roles-INITIAL_FORMS": "1", "roles-MIN_NUM_FORMS": "0", "roles-MAX_NUM_FORMS": "1000",
    }
    existing = user.roles.get()
    data.update({"roles-0-id": existing.pk, "roles-0-user": user.pk, "roles-0-role": existing.role,
                 "roles-0-region": existing.region_id, "roles-0-is_active": "on",
                 "roles-1-user": user.pk, "roles-1-role": Role.DEPARTMENT_OFFICER, "roles-1-is_active": "on"})
    response = site.post(_url(User, "change", user.pk), data)
    assert response.status_code == 200
    assert _zh("A department officer belongs to a department.") in response.content.decode()
    assert RoleAssignment.objects.filter(user=user).count() == 1


def test_pasting_a_years_calendar(site):
    bad = {"year": 2027, "source": "国办发明电", "days": "2027-02-06~2027-02-12,holiday,春节\n2027-13-01,holiday,x"}
    response = site.post(_url(CalendarYear, "add"), bad)
    assert response.status_code == 200 and "2027-13-01" in response.content.decode()
    good = {"year": 2027, "source": "国办发明电〔2026〕号",
            "days": "2027-01-01,holiday,元旦\n2027-02-06~2027-02-12,holiday,春节\n2027-02-14,workday,春节调休"}
    response = site.post(_url(CalendarYear, "add"), good)
    assert response.status_code == 302
    year = CalendarYear.objects.get(year=2027)
    assert year.loaded_by.username == "admin"
    assert CalendarDay.objects.filter(date__year=2027).count() == 9
    assert CalendarDay.objects.get(date="2027-02-14").is_workday
    assert "2027-02-14,workday,春节调休" in site.get(_url(CalendarYear, "change", year.pk)).content.decode()
