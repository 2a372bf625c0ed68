"""Fixtures for the Open311 tests: a world, two services, a client app with its key, a client
that speaks GeoReport v2 the way client libraries do (form posts, format suffixes), and the
JSON Schemas every response is validated against."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).parent / "schemas"
BASE = "/open311/v2/"


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.rglob("*.json"):
        uri = f"https://schemas.test/{path.parent.name}/{path.name}"
        # Each file's own address as its base, so "$ref": "request.json" finds its neighbour.
        contents = {**json.loads(path.read_text(encoding="utf-8")), "$id": uri}
        resources.append((uri, Resource.from_contents(contents, default_specification=DRAFT7)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validate(name: str, data) -> None:
    """Validate ``data`` against schemas/<name> (e.g. "georeport-v2/requests.json")."""
    uri = f"https://schemas.test/{name}"
    schema = REGISTRY.contents(uri)
    Draft7Validator(schema, registry=REGISTRY, format_checker=FormatChecker()).validate(data)
    # The spec's date-times must carry their offset (the vendored schemas only say "date-time").
    if name.endswith("requests.json"):
        Draft7Validator(REGISTRY.contents("https://schemas.test/wangge/datetimes.json")).validate(data)


def xml(response):
    """The body parsed (our own output): well-formed, UTF-8, declaration first."""
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # rate-limit counters
    yield
    cache.clear()


@pytest.fixture
def services(world):
    from wangge.testing import make_category

    roads = make_category("市容环境", code="shirong")
    stalls = make_category("占道经营", code="zhandao", parent=roads, department=world.departments["chengguan"],
                           keywords="摊贩 占道", resident_label="路边摆摊")
    lift = make_category("电梯故障", code="dianti", department=world.departments["chengguan"])
    return {"roads": roads, "stalls": stalls, "lift": lift}


@pytest.fixture
def app_client(db):
    """A registered client app and its key, issued the way the admin does."""
    from wangge.intake.open311 import actions
    from wangge.intake.open311.models import Open311Client

    client = Open311Client.objects.create(name="街坊随手拍")
    key = actions.issue_key(client=client)
    client.refresh_from_db()
    client.api_key = key
    return client


class Open311Api:
    """Speaks to the endpoint like a GeoReport v2 client library."""

    def __init__(self, client):
        self.http = client

    def get(self, path: str, params: dict | None = None, **headers):
        query = f"?{urlencode(params or {}, doseq=True)}" if params else ""
        return self.http.get(BASE + path + query, **headers)

    def post(self, path: str, data: dict, **headers):
        return self.http.post(BASE + path, urlencode(data, doseq=True),
                              content_type="application/x-www-form-urlencoded", **headers)


@pytest.fixture
def api(client):
    return Open311Api(client)


@pytest.fixture
def report(world, services, app_client):
    """The parameters of a valid POST Service Request (a point in grid A1)."""
    lng, lat = world.point_in(world.grids[0])
    return {
        "api_key": app_client.api_key, "service_code": "zhandao", "lat": str(lat), "long": str(lng),
        "address_string": "和平路1号", "description": "小区门口有流动摊贩占道经营，联系电话13812341234",
        "first_name": "三", "last_name": "张", "phone": "13912345678", "email": "zhang@example.cn",
        "device_id": "dev-1", "account_id": "acc-9", "media_url": "https://img.example.cn/p/1.jpg",
    }
