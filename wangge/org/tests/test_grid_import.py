"""导入网格: a sub-district's survey (网格划分成果) as one GeoJSON file, through the admin — all the
grids or none, every bad feature named."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from wangge.org import geo
from wangge.org.choices import GridType, RegionLevel, Role
from wangge.org.models import Region, User
from wangge.testing import build_world, make_user
from wangge.testing.factories import CELL, LAT0, LNG0, square

pytestmark = pytest.mark.django_db

ROW = LAT0 + 5 * CELL  # clear of the world's own grids


def feature(name, code, community, lng, *, grid_type=None, **extra):
    properties = {"网格名称": name, "网格编码": code, "社区": community, **extra}
    if grid_type:
        properties["网格类型"] = grid_type
    return {"type": "Feature", "geometry": square(lng, ROW), "properties": properties}


def upload(features, name="grids.geojson"):
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()
    return SimpleUploadedFile(name, body, content_type="application/geo+json")


@pytest.fixture
def admin_client():
    world = build_world()
    sysadmin = make_user(Role.ADMIN, region=world.district, username="sys", is_staff=True)
    client = Client()
    client.force_login(sysadmin)
    return world, client


def post(client, world, features):
    with translation.override("zh-hans"):
        return client.post("/admin/org/region/import-grids/",
                           {"subdistrict": world.subdistrict.pk, "file": upload(features)})


def test_the_survey_file_creates_each_grid_under_its_community_and_the_lookup_finds_them(admin_client):
    world, client = admin_client
    east, west = world.communities
    assert "/admin/org/region/import-grids/" in client.get("/admin/org/region/").content.decode()
    response = post(client, world, [
        feature("东园第9网格", "g-east-9", "东园社区", LNG0),
        feature("西园第9网格", "g-west-9", west.code, LNG0 + CELL, grid_type="农村网格", 别名与地址="湖畔家园；西门"),
    ])
    assert response.status_code == 302
    nine_east, nine_west = Region.objects.get(code="g-east-9"), Region.objects.get(code="g-west-9")
    assert Region.objects.get_parent(nine_east) == east and Region.objects.get_parent(nine_west) == west
    assert nine_east.level == RegionLevel.GRID and nine_east.grid_type == GridType.URBAN
    assert nine_west.grid_type == GridType.RURAL and nine_west.aliases.splitlines() == ["湖畔家园", "西门"]
    geo.invalidate()
    assert geo.find_grid(LNG0 + CELL / 2, ROW + CELL / 2) == nine_east


def test_a_file_with_bad_features_imports_nothing_and_names_every_one(admin_client):
    world, client = admin_client
    taken = world.grids[0].code
    response = post(client, world, [
        feature("好网格", "g-ok", "东园社区", LNG0),
        feature("重叠网格", "g-overlap", "东园社区", LNG0 + CELL / 2),  # over the file's first grid
        feature("旧编码", taken, "东园社区", LNG0 + 3 * CELL),
        feature("无街道", "g-nowhere", "北园社区", LNG0 + 5 * CELL, 街道="南湖街道"),  # no such sub-district
        feature("怪类型", "g-odd", "东园社区", LNG0 + 7 * CELL, grid_type="海上网格"),
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": {"网格名称": "点"}},
    ])
    assert response.status_code == 200
    page = response.content.decode()
    assert "未导入任何网格：有 5 个要素需要更正" in page
    assert "第 2 个要素（重叠网格）" in page and "好网格" in page  # the overlap names the file's own grid
    assert f"编码 {taken} 已被辖区中的其他节点使用" in page
    assert "第 4 个要素（无街道）：街道“南湖街道”不在辖区内（请先新增该街道）" in page
    assert "网格类型“海上网格”不是" in page
    assert "第 6 个要素（点）" in page and "缺少网格编码" in page
    assert not Region.objects.filter(code__startswith="g-").exists()
    assert not Region.objects.filter(name="北园社区").exists()  # nor the community the file named


@pytest.mark.parametrize("body", [b"not json", b'{"type": "Polygon", "coordinates": []}',
                                  b'{"type": "FeatureCollection", "features": []}'])
def test_a_file_that_is_not_a_feature_collection_is_refused_in_words(admin_client, body):
    world, client = admin_client
    before = Region.objects.count()
    with translation.override("zh-hans"):
        response = client.post("/admin/org/region/import-grids/", {
            "subdistrict": world.subdistrict.pk, "file": SimpleUploadedFile("x.geojson", body)})
    assert response.status_code == 200
    assert "未导入任何网格" in response.content.decode()
    assert Region.objects.count() == before


def test_only_who_may_add_places_imports_grids(admin_client):
    world, _client = admin_client
    leader = User.objects.get(username="district_leader")
    leader.is_staff = True
    leader.save()
    client = Client()
    client.force_login(leader)
    assert client.get("/admin/org/region/import-grids/").status_code == 403
    assert post(client, world, [feature("网格", "g-x", "东园社区", LNG0)]).status_code == 403
    assert not Region.objects.filter(code="g-x").exists()


def test_a_community_the_survey_names_is_created_under_the_sub_district_the_file_names(admin_client):
    """A newly set-up 社区 comes with its grids: created once, under the file's 街道 (the chosen
    one when a row names none), and the message counts the communities and the grids created."""
    from django.contrib.messages import get_messages

    world, client = admin_client
    district = Region.objects.get(pk=world.district.pk)
    lake = Region.objects.add_child(district, dict(name="南湖街道", code="sd-lake", level=RegionLevel.SUBDISTRICT))
    before = Region.objects.filter(level=RegionLevel.COMMUNITY).count()
    response = post(client, world, [
        feature("东园第9网格", "g-east-9", "东园社区", LNG0),
        feature("北园第1网格", "g-north-1", "北园社区", LNG0 + CELL),
        feature("北园第2网格", "g-north-2", "北园社区", LNG0 + 2 * CELL),
        feature("南湖第1网格", "g-lake-1", "湖滨社区", LNG0 + 3 * CELL, 街道="南湖街道"),
    ])
    assert response.status_code == 302
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "已导入 4 个网格" in said and "新建社区 2 个" in said, said
    assert Region.objects.filter(level=RegionLevel.COMMUNITY).count() == before + 2
    north, shore = Region.objects.get(name="北园社区"), Region.objects.get(name="湖滨社区")
    assert north.level == shore.level == RegionLevel.COMMUNITY
    assert Region.objects.get_parent(north) == world.subdistrict and Region.objects.get_parent(shore) == lake
    assert {g.code for g in Region.objects.get_children(north)} == {"g-north-1", "g-north-2"}
    assert Region.objects.get_parent(Region.objects.get(code="g-lake-1")) == shore
    geo.invalidate()
    assert geo.find_grid(LNG0 + 3 * CELL + CELL / 2, ROW + CELL / 2) == Region.objects.get(code="g-lake-1")
