"""The API against its own OpenAPI schema, fuzzed (schemathesis, ``wangge.testing.apifuzz``):
every operation, signed in as a clerk, with valid and invalid input. Bad input must be a
documented 4xx in the error format — never a 5xx — and every answer must match the schema
(status code, content type, body)."""

from __future__ import annotations

import os

import pytest

from wangge.testing.apifuzz import fuzz_failures, keep_connection, served_operations  # noqa: F401 — a fixture

# Per operation and generation mode; the suite keeps it cheap. To hunt, raise it for one run:
# WANGGE_FUZZ_EXAMPLES=300 pytest wangge/web/tests/test_api_fuzz.py
MAX_EXAMPLES = int(os.environ.get("WANGGE_FUZZ_EXAMPLES", "12"))


@pytest.fixture
def auth_headers(world):
    from wangge.org.services import issue_api_token

    _token, key = issue_api_token(user=world.users["clerk"], name="fuzz", days=1)
    return {"Authorization": f"Token {key}", "Accept-Language": "zh-hans"}


def test_api_never_answers_5xx_and_matches_its_schema(auth_headers, keep_connection):
    operations = served_operations(auth_headers)
    assert len(operations) > 30
    failures = fuzz_failures(operations, auth_headers, max_examples=MAX_EXAMPLES)
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)


# What the fuzzer found, pinned (each failed before its fix).


def test_marking_a_notification_with_an_id_past_64_bits_is_a_400(world):
    from rest_framework.test import APIClient

    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(world.users["clerk"])
    response = client.post("/api/v1/notifications/mark-read/", {"ids": [10**20]}, format="json")
    assert response.status_code == 400
    assert [key.split(".")[0] for key in response.json()["error"]["fields"]] == ["ids"]


def test_a_patrol_filter_id_past_64_bits_finds_nothing_instead_of_a_500(world):
    from rest_framework.test import APIClient

    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(world.users["clerk"])
    for url in ["/api/v1/patrols/check-ins/?worker=", "/api/v1/patrols/points/?grid="]:
        response = client.get(url + "569591155022624466910853413732352")
        assert response.status_code == 200, (url, response.status_code)
        assert response.json()["results"] == []


def test_the_schema_documents_the_answers_the_fuzzer_saw(world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.users["clerk"])
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert "application/geo+json" in paths["/api/v1/grids.geojson"]["get"]["responses"]["200"]["content"]
    # A page after the last one is a 404 on every paginated list.
    for path in ["/api/v1/cases/", "/api/v1/regions/", "/api/v1/notifications/"]:
        assert "404" in paths[path]["get"]["responses"], path
        page = next(p for p in paths[path]["get"]["parameters"] if p["name"] == "page")
        assert page["schema"]["minimum"] == 1
