"""Reference data over the API: the territory tree, grids as GeoJSON and point → grid lookup,
departments, categories and deadline policies, the signed-in user, and their notifications."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from wangge.cases.models import SlaPolicy
from wangge.notifications.models import Notification, NotificationKind
from wangge.notifications.services import notify
from wangge.org.choices import GridType, RegionLevel, Role
from wangge.testing import LAT0, LNG0, add_region, file_case, make_category, square


def client_for(user, lang: str = "en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_authenticate(user)
    return client


@pytest.fixture
def clerk(world):
    return client_for(world.users["clerk"])


def test_reference_endpoints_need_authentication(world):
    for url in ("/api/v1/regions/", "/api/v1/grids.geojson", "/api/v1/departments/", "/api/v1/categories/",
                "/api/v1/me/", "/api/v1/notifications/", "/api/v1/sla-policies/"):
        response = APIClient().get(url)
        assert response.status_code == 401, url
        assert response.json()["error"]["code"] == "not_authenticated"


def test_regions_filtered_by_level_parent_and_subtree(world, clerk):
    grids = clerk.get("/api/v1/regions/", {"level": "grid"}).json()
    assert grids["count"] == 4
    first = grids["results"][0]
    assert (first["name"], first["level"], first["grid_type"]) == ("东园第1网格", "grid", "urban")
    assert first["parent"] == world.communities[0].pk and first["has_boundary"] is True

    children = clerk.get("/api/v1/regions/", {"parent": world.subdistrict.pk}).json()["results"]
    assert [r["name"] for r in children] == ["东园社区", "西园社区"]
    assert all(r["children_count"] == 2 for r in children)

    under = clerk.get("/api/v1/regions/", {"within": world.communities[1].pk}).json()["results"]
    assert {r["id"] for r in under} == {world.grids[2].pk, world.grids[3].pk}
    both = clerk.get("/api/v1/regions/?level=community&level=subdistrict").json()
    assert both["count"] == 3
    assert clerk.get("/api/v1/regions/", {"parent": 99999999}).json()["count"] == 0
    assert clerk.get("/api/v1/regions/", {"q": "西园"}).json()["count"] == 3  # the community and its grids
    root = clerk.get("/api/v1/regions/", {"level": "city"}).json()["results"][0]
    assert root["parent"] is None

    bad = clerk.get("/api/v1/regions/", {"level": "galaxy"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    assert clerk.get("/api/v1/regions/", {"parent": "abc"}).status_code == 400
    for odd in ("1.5", "1e30", "-3", "99999999999999999999999"):
        assert clerk.get("/api/v1/regions/", {"parent": odd, "within": odd}).json()["count"] == 0, odd


def test_region_list_query_count_does_not_grow(world, clerk, django_assert_max_num_queries):
    for i in range(20):
        add_region(world.grids[0], RegionLevel.BUILDING, f"{i + 1}号楼")
    with django_assert_max_num_queries(4):
        rows = clerk.get("/api/v1/regions/", {"page_size": 100}).json()["results"]
    assert len(rows) == 9 + 20
    assert {r["parent"] for r in rows if r["level"] == "building"} == {world.grids[0].pk}


def test_region_detail_has_ancestors_and_boundary(world, clerk):
    grid = world.grids[3]
    body = clerk.get(f"/api/v1/regions/{grid.pk}/").json()
    assert [a["level"] for a in body["ancestors"]] == ["city", "district", "subdistrict", "community"]
    assert body["boundary"]["type"] == "Polygon" and body["parent"] == world.communities[1].pk
    assert clerk.get("/api/v1/regions/987654/").status_code == 404


def test_grids_geojson_is_a_feature_collection_of_active_grids(world, clerk):
    retired = add_region(world.communities[0], RegionLevel.GRID, "旧网格", grid_type=GridType.RURAL,
                         boundary=square(LNG0 + 0.5, LAT0), is_active=False)
    response = clerk.get("/api/v1/grids.geojson")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 4 and retired.pk not in {f["id"] for f in body["features"]}
    feature = body["features"][0]
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Polygon"
    assert feature["properties"]["community"] == {"id": world.communities[0].pk, "name": "东园社区"}

    within = clerk.get("/api/v1/grids.geojson", {"within": world.communities[1].pk}).json()
    assert {f["id"] for f in within["features"]} == {world.grids[2].pk, world.grids[3].pk}
    assert clerk.get("/api/v1/grids.geojson", {"within": "x"}).status_code == 400


def test_grid_lookup(world, clerk):
    lng, lat = world.point_in(world.grids[2])
    body = clerk.get("/api/v1/grids/lookup/", {"lng": lng, "lat": lat}).json()
    assert body["grid"]["id"] == world.grids[2].pk
    assert body["community"]["name"] == "西园社区" and body["subdistrict"]["name"] == "和平街道"

    outside = client_for(world.users["clerk"], "zh-CN").get("/api/v1/grids/lookup/", {"lng": 100, "lat": 20})
    assert outside.status_code == 404
    assert outside.json()["error"]["message"] == "该位置不在任何网格内。"
    for params in ({"lng": "east", "lat": 1}, {"lng": 200, "lat": 1}, {"lat": 39.9}, {"lng": "nan", "lat": "nan"}):
        response = clerk.get("/api/v1/grids/lookup/", params)
        assert response.status_code == 400, params
        assert response.json()["error"]["code"] == "invalid"


def test_departments(world, clerk):
    rows = clerk.get("/api/v1/departments/").json()
    assert {d["code"] for d in rows} == {"chengguan", "huanwei", "pingan"}
    sections = clerk.get("/api/v1/departments/", {"kind": "section"}).json()
    assert [d["name"] for d in sections] == ["街道平安办"]
    assert sections[0]["region"]["level"] == "subdistrict"
    one = clerk.get(f"/api/v1/departments/{world.departments['huanwei'].pk}/").json()
    assert one["kind_label"] == "District department"


def test_category_tree_with_defaults(world, clerk):
    fast = SlaPolicy.objects.create(name="24小时", resolve_value=24, resolve_unit="hours")
    env = make_category("市容环境", code="env", department=world.departments["chengguan"], policy=fast, star=2)
    make_category("占道经营", code="env-stall", parent=env)
    make_category("旧分类", code="old", is_active=False)
    tree = clerk.get("/api/v1/categories/").json()
    assert [c["code"] for c in tree] == ["env"]
    root = tree[0]
    assert root["default_department"]["name"] == "区城管执法局" and root["default_star"] == 2
    child = root["children"][0]
    assert child["code"] == "env-stall" and child["children"] == []
    # A sub-category without its own policy takes its parent's.
    assert child["effective_sla_policy"] == {"id": fast.pk, "name": "24小时"}
    everything = clerk.get("/api/v1/categories/", {"include_inactive": "true"}).json()
    assert {c["code"] for c in everything} == {"env", "old"}


def test_sla_policies(world, clerk):
    rows = clerk.get("/api/v1/sla-policies/").json()
    default = next(p for p in rows if p["is_default"])
    assert (default["accept_value"], default["accept_unit"]) == (1, "minutes")


def test_me_lists_roles_and_jurisdictions(world):
    from wangge.org.models import RoleAssignment

    secretary = world.users["secretary_a"]
    RoleAssignment.objects.create(user=secretary, role=Role.STREET_CHIEF_L1, region=world.communities[0])
    body = client_for(world.users["secretary_a"]).get("/api/v1/me/").json()
    assert body["username"] == "secretary_a"
    assert {(r["role"], r["region"]["name"]) for r in body["roles"]} == {
        ("community_secretary", "东园社区"), ("street_chief_l1", "东园社区")}
    assert body["can_file_cases"] is True and body["can_see_reporter"] is True

    officer = client_for(world.users["chengguan"]).get("/api/v1/me/").json()
    assert officer["roles"][0]["department"]["name"] == "区城管执法局" and officer["roles"][0]["region"] is None
    assert officer["can_file_cases"] is False and officer["can_see_reporter"] is False


def test_notifications_are_private_and_can_be_marked_read(world):
    clerk, leader = world.users["clerk"], world.users["leader"]
    case = file_case(world)
    Notification.objects.all().delete()
    notify(recipients=[clerk], kind=NotificationKind.URGED, message="催办一", case=case)
    notify(recipients=[clerk], kind=NotificationKind.OVERDUE, message="超时二")
    notify(recipients=[leader], kind=NotificationKind.URGED, message="领导的")

    client = client_for(clerk)
    body = client.get("/api/v1/notifications/").json()
    assert body["count"] == 2 and {n["message"] for n in body["results"]} == {"催办一", "超时二"}
    urged = next(n for n in body["results"] if n["kind"] == "urged")
    assert urged["case"] == case.number and urged["read_at"] is None
    assert client.get("/api/v1/me/").json()["unread_notifications"] == 2

    leaders = Notification.objects.get(recipient=leader).pk
    marked = client.post("/api/v1/notifications/mark-read/", {"ids": [urged["id"], leaders]}, format="json")
    assert marked.json() == {"marked": 1}  # never someone else's
    assert Notification.objects.get(pk=leaders).read_at is None
    assert [n["message"] for n in client.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]] == [
        "超时二"]
    assert client.post("/api/v1/notifications/mark-read/", {}, format="json").json() == {"marked": 1}
    assert client.get("/api/v1/me/").json()["unread_notifications"] == 0

    bad = client.post("/api/v1/notifications/mark-read/", {"ids": ["x"]}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["fields"] == {"ids.0": "A valid integer is required."}


def test_yes_no_filters_take_1_and_0_and_refuse_anything_else(world):
    """``?unread=1`` once listed the read notifications too, and ``?is_active=0`` every department:
    a value the filter did not know was taken as "not given"."""
    clerk = world.users["clerk"]
    Notification.objects.all().delete()
    notify(recipients=[clerk], kind=NotificationKind.URGED, message="未读")
    notify(recipients=[clerk], kind=NotificationKind.OVERDUE, message="已读")
    Notification.objects.filter(message="已读").update(read_at=timezone.now())
    client = client_for(clerk)

    def messages(value):
        return [n["message"] for n in client.get("/api/v1/notifications/", {"unread": value}).json()["results"]]

    assert messages("1") == messages("true") == messages("YES") == ["未读"]
    assert messages("0") == messages("false") == ["已读"]
    retired = world.departments["huanwei"]
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    assert [d["id"] for d in client.get("/api/v1/departments/", {"is_active": "0"}).json()] == [retired.pk]
    for url, name in (("/api/v1/notifications/", "unread"), ("/api/v1/departments/", "is_active"),
                      ("/api/v1/regions/", "is_active")):
        response = client.get(url, {name: "maybe"})
        assert response.status_code == 400, url
        assert response.json()["error"]["codes"] == {name: "invalid_choice"}
        assert response.json()["error"]["message"] == "Give true or false (or 1/0, yes/no)."
    chinese = client_for(clerk, "zh-hans").get("/api/v1/regions/", {"is_active": "maybe"})
    assert chinese.json()["error"]["message"] == "请填写 true 或 false（也可用 1/0、yes/no）。"
