"""The API against its own OpenAPI schema, fuzzed (schemathesis): every operation, signed in as a
clerk, with valid and invalid input. Bad input must be a documented 4xx in the error format —
never a 5xx — and every answer must match the schema (status code, content type, body).

Bounded so that it runs in `make test` on both databases: a fixed number of examples per
operation, derandomized (the same examples every run, so a failure reproduces), no shrinking
(a failure prints the request as a curl command, which is what one needs to reproduce it).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Not negative_data_rejection: a boolean query flag given as "16208" is still read leniently
# (include_inactive, is_active, unread); numbers, dates and bodies are checked.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Per operation and generation mode; the suite keeps it cheap. To hunt, raise it for one run:
# WANGGE_FUZZ_EXAMPLES=300 pytest wangge/web/tests/test_api_fuzz.py
MAX_EXAMPLES = int(os.environ.get("WANGGE_FUZZ_EXAMPLES", "12"))


@pytest.fixture
def auth_headers(world):
    from wangge.org.services import issue_api_token

    _token, key = issue_api_token(user=world.users["clerk"], name="fuzz", days=1)
    return {"Authorization": f"Token {key}", "Accept-Language": "zh-hans"}


@pytest.fixture
def keep_connection():
    """The app is called through the real WSGI handler, whose request signals would close the
    database connection — and with it this test's transaction (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_api_never_answers_5xx_and_matches_its_schema(auth_headers, keep_connection):
    # The schema the app serves, and the app called in-process: inside this test's transaction.
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler(), headers=auth_headers)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, auth_headers)
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 — one report for them all
                failures.append(f"{operation.label} [{mode.value}]\n{error}")
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)


def _fuzz(operation, mode: GenerationMode, headers: dict) -> None:
    # schemathesis' own pytest integration (schema.parametrize) needs pytest internals that
    # pytest 9 no longer has; one Hypothesis test per operation and mode does the same.
    @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        # Each example in a savepoint rolled back after it: examples stay independent (the same
        # answers in any order), and a database error in one cannot poison the next.
        with transaction.atomic():
            case.call_and_validate(headers=headers, checks=CHECKS)
            transaction.set_rollback(True)

    try:
        run()
    except Unsatisfiable:
        # No invalid value exists for this operation (a path parameter any string satisfies).
        if mode is not GenerationMode.NEGATIVE:
            raise


# What the fuzzer found, pinned (each failed before its fix).


def test_marking_a_notification_with_an_id_past_64_bits_is_a_400(world):
    from rest_framework.test import APIClient

    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(world.users["clerk"])
    response = client.post("/api/v1/notifications/mark-read/", {"ids": [10**20]}, format="json")
    assert response.status_code == 400
    assert [key.split(".")[0] for key in response.json()["error"]["fields"]] == ["ids"]


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
