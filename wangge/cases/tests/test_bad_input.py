"""Bad input to the case list, the API and uploads: a clear error in the user's language that
names the field, nothing written — never a 500."""

from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from wangge.cases.models import Case
from wangge.core.api import MAX_JSON_DEPTH

LIST = "/api/v1/cases/"


def api(user, lang="zh-hans") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_authenticate(user)
    return client


def error_of(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()["error"]


def payload(world, **extra) -> dict:
    lng, lat = world.point_in(world.grids[0])
    return {"channel": "hotline", "title": "流动摊贩占道", "description": "小区门口有流动摊贩占道经营",
            "longitude": lng, "latitude": lat, **extra}


def huge_png(width: int = 12_000, height: int = 12_000) -> bytes:
    """A real PNG of width × height black pixels (1 bit each) that compresses to a few KB."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height, 9)) + chunk(b"IEND", b""))


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("param, value", [
    ("submitted_before", "9999-12-31"), ("submitted_after", "0001-01-01"), ("submitted_after", "1999-12-31"),
])
def test_api_list_refuses_a_date_outside_the_offices_years(world, param, value):
    error = error_of(api(world.users["clerk"]).get(LIST, {param: value}), 400)
    assert error["code"] == "invalid" and error["codes"] == {param: "out_of_range"}
    assert "2000-01-01" in error["fields"][param] and "2100-12-31" in error["fields"][param]
    assert param not in error["message"]


def test_api_list_accepts_the_edge_dates(world):
    response = api(world.users["clerk"]).get(LIST, {"submitted_after": "2000-01-01", "submitted_before": "2100-12-31"})
    assert response.status_code == 200


@pytest.mark.parametrize("param, value", [("submitted_after", "0001-01-01"), ("submitted_before", "9999-12-31")])
def test_web_case_list_shows_the_date_error_instead_of_crashing(world, client, param, value):
    client.force_login(world.users["clerk"])
    response = client.get("/cases/", {param: value}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response.context["filter"].errors[param] == ["请填写 2000-01-01 至 2100-12-31 之间的日期。"]
    assert list(response.context["page"].rows) == []


# --- the error format -------------------------------------------------------------------------------


def test_a_missing_field_is_named_in_fields_not_in_the_message(world):
    before = Case.objects.count()
    data = payload(world)
    del data["description"]
    error = error_of(api(world.users["clerk"]).post(LIST, data, format="json"), 400)
    assert error["message"] == "该字段是必填项。"
    assert error["fields"] == {"description": "该字段是必填项。"} and error["codes"] == {"description": "required"}
    assert Case.objects.count() == before


# --- JSON nesting ------------------------------------------------------------------------------------


def test_a_50000_deep_json_body_is_a_400_not_a_crash(world):
    before = Case.objects.count()
    body = "[" * 50_000 + "]" * 50_000
    error = error_of(api(world.users["clerk"], "en").post(LIST, body, content_type="application/json"), 400)
    assert error["code"] == "too_deep" and "nested too deeply" in error["message"]
    assert Case.objects.count() == before


def test_nesting_just_past_the_limit_is_refused_and_brackets_inside_text_do_not_count(world):
    clerk = api(world.users["clerk"])
    too_deep = json.dumps({"description": "x", "title": json.loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)})
    assert error_of(clerk.post(LIST, too_deep, content_type="application/json"), 400)["code"] == "too_deep"

    # A resident's text full of brackets and escaped quotes is ordinary text.
    text = '占道 "[[[[' + "{" * 100 + '\\"' + "[" * 100
    created = clerk.post(LIST, json.dumps(payload(world, description=text)), content_type="application/json")
    assert created.status_code == 201, created.content[:300]
    assert created.json()["description"] == text


def test_a_json_body_over_the_upload_limit_is_a_413(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = Case.objects.count()
    body = json.dumps(payload(world, description="长" * 5_000))  # 15,000 bytes of UTF-8
    error = error_of(api(world.users["clerk"]).post(LIST, body, content_type="application/json"), 413)
    assert error["code"] == "too_large"
    assert Case.objects.count() == before


# --- uploads --------------------------------------------------------------------------------------


def test_a_tiny_png_claiming_144_megapixels_is_refused_before_decoding(world):
    data = huge_png()
    assert len(data) < 40_000
    before = Case.objects.count()
    upload = SimpleUploadedFile("bomb.png", data, content_type="image/png")
    response = api(world.users["clerk"]).post(LIST, {**payload(world), "attachments": [upload]}, format="multipart")
    error = error_of(response, 400)
    assert error["codes"] == {"attachments": "too_many_pixels"}
    assert "12000 × 12000" in error["message"] and "64" in error["message"]
    assert Case.objects.count() == before


def test_a_48_megapixel_phone_photo_is_still_accepted(world):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, "PNG")
    upload = SimpleUploadedFile("scene.png", buffer.getvalue(), content_type="image/png")
    response = api(world.users["clerk"]).post(LIST, {**payload(world), "attachments": [upload]}, format="multipart")
    assert response.status_code == 201, response.content[:300]


# --- pagination and 404s ---------------------------------------------------------------------------


@pytest.mark.parametrize("query, field", [
    ({"page": "0"}, "page"), ({"page": "-1"}, "page"), ({"page": "abc"}, "page"),
    ({"page": "9" * 30}, "page"), ({"page_size": "0"}, "page_size"), ({"page_size": "201"}, "page_size"),
    ({"page_size": "x"}, "page_size"),
])
def test_a_page_or_page_size_out_of_range_is_a_400_naming_it(world, query, field):
    error = error_of(api(world.users["clerk"]).get(LIST, query), 400)
    assert list(error["fields"]) == [field] and field not in error["message"]


def test_a_page_after_the_last_is_a_json_404(world):
    error = error_of(api(world.users["clerk"], "en").get(LIST, {"page": "2"}), 404)
    assert error["code"] == "not_found" and "no page 2" in error["message"]


def test_an_api_path_that_does_not_exist_answers_json_other_paths_html(world, client):
    client.force_login(world.users["clerk"])
    for path in ["/api/v1/no-such-thing/", "/api/v1/cases/WG1/extensions/abc/approve/"]:
        error = error_of(client.get(path), 404)
        assert error["code"] == "not_found"
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


# --- the schema tells the truth about nulls -------------------------------------------------------


def test_the_schema_marks_the_fields_that_can_be_null(world):
    schema = api(world.users["clerk"]).get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    assert schema["CaseDetail"]["properties"]["created_by"].get("nullable") is True
    assert schema["CaseDetail"]["properties"]["merged_into"].get("nullable") is True
    assert schema["Assignment"]["properties"]["claimed_by"].get("nullable") is True
    assert schema["ExtensionRequest"]["properties"]["decided_by"].get("nullable") is True
